import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type RequestMode } from '../ai-request.types';
import { type CoalesceCandidate } from './coalesce';

/** The statements on `ai_requests` that coalescing needs (one answer per burst). */
@Injectable()
export class RequestCoalesceRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The lead's pending requests stored after `id`, newest first. None for a replay (an admin's
   * replay is answered on its own) and replays are never candidates.
   */
  async newerPending(id: string): Promise<CoalesceCandidate[]> {
    const rows: {
      id: string;
      seq: string;
      mode: RequestMode;
      continue_path: string | null;
    }[] = await this.db.query(
      `SELECT n.id, n.seq, n.mode, n.params->'widget'->>'continuePath' AS continue_path
         FROM ai_requests r
         JOIN ai_requests n
           ON n.installation_id = r.installation_id AND n.lead_id = r.lead_id AND n.seq > r.seq
        WHERE r.id = $1 AND r.replay_of IS NULL AND n.replay_of IS NULL
          AND n.status IN ('queued', 'processing', 'answered')
        ORDER BY n.seq DESC`,
      [id],
    );
    return rows.map((row) => ({
      id: row.id,
      seq: Number(row.seq),
      mode: row.mode,
      continuePath: row.continue_path,
    }));
  }
}
