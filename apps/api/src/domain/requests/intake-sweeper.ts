import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AiJobs } from './ai-jobs';
import { RequestsRepository } from './requests.repository';

// Leads asked about in Redis at once by a sweep.
const SWEEP_CHUNK = 50;

/**
 * Re-enqueues requests whose job was lost (Redis restarted without persistence) or whose worker
 * died, so an acknowledged request is always answered (docs/architecture.md, "The sweeper").
 */
@Injectable()
export class IntakeSweeper {
  private readonly logger = new Logger(IntakeSweeper.name);

  constructor(
    private readonly jobs: AiJobs,
    private readonly store: RequestsRepository,
    private readonly config: AppConfig,
  ) {}

  /**
   * Enqueues the leads whose requests wait too long, at most one job per lead. Returns the
   * number of jobs added. The caller makes it one sweep per interval across workers.
   */
  async sweep(): Promise<number> {
    const stale = await this.store.stalePending(this.config.get('INTAKE_STALE_AFTER_MS'), 500);
    let added = 0;
    for (let i = 0; i < stale.length; i += SWEEP_CHUNK) {
      const results = await Promise.all(
        stale.slice(i, i + SWEEP_CHUNK).map((entry) =>
          this.jobs.ensureLead({
            installationId: entry.installationId,
            leadId: entry.leadId,
            requestId: entry.id,
          }),
        ),
      );
      added += results.filter((result) => result === 'added').length;
    }
    if (added > 0) this.logger.log({ leads: stale.length, added }, 're-enqueued stale requests');
    else this.logger.debug({ leads: stale.length }, 'swept: nothing to re-enqueue');
    return added;
  }
}
