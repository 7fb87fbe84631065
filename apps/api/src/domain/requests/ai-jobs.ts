import { Injectable, Logger } from '@nestjs/common';
import { type Job } from 'bull';
import { type DrainData, QueueName } from '../../queues/job-catalogue';
import { InjectJobQueue, type JobQueue } from '../../queues/job-queue';

// A caller that waits (the sweeper, a replay) must not hang on a slow or absent Redis: the
// PostgreSQL row is the durable copy and the sweeper enqueues what did not make it.
const ENQUEUE_TIMEOUT_MS = 250;

/**
 * The sweeper's job id: one per lead, so a later sweep finds the job an earlier one added. '-', not
 * ':', between the parts: ':' separates the parts of Bull's Redis keys.
 */
export function leadJobId(installationId: string, leadId: number): string {
  return `lead-${installationId}-${leadId}`;
}

/** Job states in which a job will still be picked up by a worker. */
const QUEUED_STATES = new Set(['waiting', 'delayed', 'paused']);

export type EnsureResult = 'added' | 'live' | 'failed';

// `settle` is absent for a wake(): nobody waits, so no promise is made for it on the ack path.
type PendingAdd = { data: DrainData; jobId: string; settle?: (added: boolean) => void };

/**
 * Producer side of the `ai` queue. The adds asked for in one tick (the acks of one intake batch
 * resolve together) go to Redis as one MULTI: one write and one reply instead of one round trip
 * each, which is most of what the ack path spends in Redis.
 */
@Injectable()
export class AiJobs {
  private readonly logger = new Logger(AiJobs.name);
  private pending: PendingAdd[] = [];

  constructor(
    @InjectJobQueue(QueueName.Ai) private readonly queue: JobQueue<typeof QueueName.Ai>,
  ) {}

  /** True when Redis took the job in time; false leaves it to the sweeper. */
  async drain(data: DrainData, jobId = data.requestId): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ENQUEUE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.add(data, jobId), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The sweeper's add: at most one sweep job per lead at a time (docs/architecture.md, "The
   * sweeper"). Nothing is added while the intake job of the lead's oldest pending request, or the
   * lead's sweep job, is still queued, or while the sweep job runs. A sweep job that ended, or
   * that a dead worker left active (Bull's job lock expired), is removed first so that its id can
   * be added again; Bull refuses to remove a job whose lock a live worker holds.
   */
  async ensureLead(data: DrainData): Promise<EnsureResult> {
    const jobId = leadJobId(data.installationId, data.leadId);
    try {
      const [intake, own] = await Promise.all([
        this.queue.getJob(data.requestId),
        this.queue.getJob(jobId),
      ]);
      if (intake && QUEUED_STATES.has(await intake.getState())) return 'live';
      if (own) {
        if (QUEUED_STATES.has(await own.getState())) return 'live';
        if (!(await this.removeUnlocked(own))) return 'live';
      }
    } catch (error) {
      this.warn([{ data, jobId }], (error as Error).message);
      return 'failed';
    }
    return (await this.drain(data, jobId)) ? 'added' : 'failed';
  }

  private async removeUnlocked(job: Job): Promise<boolean> {
    try {
      await job.remove();
      return true;
    } catch (error) {
      if (/Could not remove job/.test((error as Error).message)) return false;
      throw error;
    }
  }

  /**
   * The ack's way: adds the job without waiting for Redis. The request's row is committed
   * already; an add that fails or is late is the sweeper's, and a failure is logged.
   */
  wake(data: DrainData): void {
    this.queueAdd({ data, jobId: data.requestId });
  }

  private add(data: DrainData, jobId: string): Promise<boolean> {
    return new Promise<boolean>((settle) => this.queueAdd({ data, jobId, settle }));
  }

  private queueAdd(entry: PendingAdd): void {
    if (this.pending.push(entry) === 1) process.nextTick(() => this.flush());
  }

  // Never rejects: a failed add is logged here and settles its callers with false.
  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    const jobs = batch.map(({ data, jobId }) => ({ data, jobId }));
    // Through a promise, so that even a synchronous throw ends up logged rather than uncaught.
    Promise.resolve(jobs)
      .then((list) => this.queue.enqueueBulk('drain', list))
      .then(
        (added) => {
          // A job whose own command failed inside the MULTI comes back without an id.
          const took = batch.map((_, i) => {
            const id = added[i]?.id;
            return id !== undefined && id !== null;
          });
          const missing = batch.filter((_, i) => !took[i]);
          if (missing.length > 0) this.warn(missing, 'a job add was refused');
          batch.forEach((entry, i) => entry.settle?.(took[i] === true));
        },
        (error: unknown) => {
          this.warn(batch, (error as Error).message);
          for (const entry of batch) entry.settle?.(false);
        },
      );
  }

  private warn(entries: PendingAdd[], err: string): void {
    this.logger.warn(
      {
        requests: entries.length,
        requestIds: entries.slice(0, 10).map((entry) => entry.data.requestId),
        err,
      },
      'enqueue failed; the sweeper will pick the requests up',
    );
  }
}
