import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import { type Queue } from 'bull';
import { QueueName } from '../../queues/queue-names';

export const AiJob = { Drain: 'drain' } as const;

/** "Answer what is pending for this lead"; the request id is for tracing and the job id. */
export type DrainData = { installationId: string; leadId: number; requestId: string };

// The ack must not wait on a slow or absent Redis: the PostgreSQL row is the durable copy and
// the sweeper enqueues what did not make it.
const ENQUEUE_TIMEOUT_MS = 250;

const JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: 500,
} as const;

/** Producer side of the `ai` queue. */
@Injectable()
export class AiJobs {
  private readonly logger = new Logger(AiJobs.name);

  constructor(@InjectQueue(QueueName.Ai) private readonly queue: Queue<DrainData>) {}

  /** True when Redis took the job in time; false leaves it to the sweeper. */
  async drain(data: DrainData, jobId = data.requestId): Promise<boolean> {
    // Handled here, so an add that fails after we stopped waiting is not an unhandled rejection.
    const added = this.queue.add(AiJob.Drain, data, { ...JOB_OPTIONS, jobId }).then(
      () => true,
      (error: unknown) => {
        this.logger.warn(
          { requestId: data.requestId, err: (error as Error).message },
          'enqueue failed; the sweeper will pick the request up',
        );
        return false;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ENQUEUE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([added, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  get raw(): Queue<DrainData> {
    return this.queue;
  }
}
