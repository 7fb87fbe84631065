import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';

export type ConnectionFigures = {
  maxConnections: number;
  /** Slots only superusers may take (`superuser_reserved_connections`). */
  reserved: number;
  /** Client connections open now, every database and this process's own included. */
  open: number;
};

/** The server's own settings and activity: no table of ours. */
@Injectable()
export class PostgresSettingsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async connectionFigures(): Promise<ConnectionFigures> {
    const [row] = await this.db.query<ConnectionFigures[]>(
      `SELECT current_setting('max_connections')::int AS "maxConnections",
              current_setting('superuser_reserved_connections')::int AS reserved,
              (SELECT count(*)::int FROM pg_stat_activity
                WHERE backend_type = 'client backend') AS open`,
    );
    return row!;
  }
}
