import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { type ConnectionFigures, PostgresSettingsRepository } from './postgres-settings.repository';

/**
 * The settings whose sum this kind of process may open at most (DatabaseModule.forRoot): the
 * pool, and for a worker its lead-lock connections too.
 */
export const CONNECTIONS_NEEDED = Symbol('CONNECTIONS_NEEDED');
export type ConnectionsNeeded = readonly ('DATABASE_POOL_SIZE' | 'AI_WORKER_CONCURRENCY')[];

/**
 * The warning for a process that may open more connections than PostgreSQL has left for it, or
 * null. Under load such a process is refused ("sorry, too many clients already"), which is how
 * the first scale-out run failed (docs/scaling.md).
 */
export function connectionBudgetWarning(
  need: number,
  from: string,
  figures: ConnectionFigures,
): string | null {
  const room = figures.maxConnections - figures.reserved;
  // One of the open connections is this process's own, the one that asked.
  const others = Math.max(0, figures.open - 1);
  if (need <= room - others) return null;
  return (
    `this process may open up to ${need} PostgreSQL connections (${from}); max_connections ` +
    `${figures.maxConnections} less ${figures.reserved} reserved leaves ${room}, and other ` +
    `clients hold ${others} now. Under load it may be refused ("too many clients"): lower ` +
    `the pool sizes or raise max_connections (docs/scaling.md).`
  );
}

/** Checks the budget once at start; a warning, never a failure (the others may be idle). */
@Injectable()
export class ConnectionBudgetCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('ConnectionBudget');

  constructor(
    private readonly settings: PostgresSettingsRepository,
    private readonly config: AppConfig,
    @Inject(CONNECTIONS_NEEDED) private readonly needed: ConnectionsNeeded,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const need = this.needed.reduce((sum, name) => sum + this.config.get(name), 0);
      const warning = connectionBudgetWarning(
        need,
        this.needed.join(' + '),
        await this.settings.connectionFigures(),
      );
      if (warning) this.logger.warn(warning);
    } catch (error) {
      // PostgreSQL gone between the preflight and here: /health and the pools say so.
      this.logger.warn({ err: (error as Error).message }, 'connection budget not checked');
    }
  }
}
