import { Injectable, Logger } from '@nestjs/common';
import { InstallationsRepository } from './installations.repository';
import { TokenService } from './token.service';

/** Refresh tokens expiring within this window; the job runs every 10 minutes (InstallationJobs). */
const REFRESH_AHEAD_MS = 2 * 60 * 60_000;

/** The `refresh-tokens` job: refreshes ahead of expiry, so no request waits for a refresh. */
@Injectable()
export class ScheduledTokenRefresh {
  private readonly logger = new Logger(ScheduledTokenRefresh.name);

  constructor(
    private readonly installations: InstallationsRepository,
    private readonly tokens: TokenService,
  ) {}

  async refreshDue(): Promise<{ refreshed: number; failed: number }> {
    const due = await this.installations.idsExpiringWithin(REFRESH_AHEAD_MS);
    let failed = 0;
    for (const id of due) {
      try {
        await this.tokens.refresh(id, { expiringBefore: Date.now() + REFRESH_AHEAD_MS });
      } catch (error) {
        failed++;
        this.logger.warn(
          { installationId: id, error: error instanceof Error ? error.message : String(error) },
          'scheduled token refresh failed',
        );
      }
    }
    return { refreshed: due.length - failed, failed };
  }
}
