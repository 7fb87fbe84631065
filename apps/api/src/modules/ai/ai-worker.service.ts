import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AiJob, AiJobs, type DrainData } from './ai-jobs';
import { AiPipeline } from './ai-pipeline.service';
import { AiRequestsStore } from './ai-requests.store';
import { LeadDrain } from './lead-drain';

/**
 * The worker side of the `ai` queue: each job drains one lead's pending requests. A sweeper
 * re-enqueues requests whose job was lost (Redis restarted without persistence) or whose worker
 * died, so an acknowledged request is always answered.
 */
@Injectable()
export class AiWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AiWorker.name);
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping = false;
  private sweeps = 0;

  constructor(
    private readonly jobs: AiJobs,
    private readonly drain: LeadDrain,
    private readonly pipeline: AiPipeline,
    private readonly store: AiRequestsStore,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const concurrency = this.config.get('AI_WORKER_CONCURRENCY');
    void this.jobs.raw.process(AiJob.Drain, concurrency, (job) => this.run(job.data));
    const interval = this.config.get('INTAKE_SWEEP_INTERVAL_MS');
    this.sweeper = setInterval(() => void this.sweep(), interval);
    this.sweeper.unref();
    // Right away too: requests left by a previous run need not wait a full interval.
    void this.sweep();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  async run(data: DrainData): Promise<void> {
    await this.drain.drain(data.installationId, data.leadId, (row) => this.pipeline.handle(row));
  }

  /** Public for tests; overlapping sweeps are skipped. */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      this.sweeps += 1;
      const stale = await this.store.stalePending(this.config.get('INTAKE_STALE_AFTER_MS'), 500);
      for (const entry of stale) {
        await this.jobs.drain(
          { installationId: entry.installationId, leadId: entry.leadId, requestId: entry.id },
          `sweep:${entry.id}:${this.sweeps}`,
        );
      }
      if (stale.length > 0) this.logger.log({ leads: stale.length }, 're-enqueued stale requests');
      return stale.length;
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'sweep failed; will try again');
      return 0;
    } finally {
      this.sweeping = false;
    }
  }
}
