import { getQueueToken } from '@nestjs/bull';
import { Inject, type Provider } from '@nestjs/common';
import { type Job, type JobOptions, type Queue } from 'bull';
import { JOB_OPTIONS, type JobData, type JobName, QueueName } from './job-catalogue';

/** The data of any job of the queue. */
type QueueData<Q extends QueueName> = JobData<Q, JobName<Q>>;

/** What a producer adds to a job's catalogue options: its id (Bull keeps one job per id), a repeat. */
export type EnqueueOptions = Pick<JobOptions, 'jobId' | 'repeat'>;

export type JobOf<Q extends QueueName, N extends JobName<Q>> = Job<JobData<Q, N>>;

/**
 * One Bull queue, typed by the catalogue: producers `enqueue`, consumers `consume`, and both
 * name a job of this queue with the data the catalogue gives it.
 */
export class JobQueue<Q extends QueueName> {
  constructor(
    readonly name: Q,
    readonly bull: Queue<QueueData<Q>>,
  ) {}

  /** Adds one job with the catalogue's options for it. */
  enqueue<N extends JobName<Q>>(
    name: N,
    data: JobData<Q, N>,
    opts: EnqueueOptions = {},
  ): Promise<Job<QueueData<Q>>> {
    return this.bull.add(name, data, { ...JOB_OPTIONS[this.name][name], ...opts });
  }

  /**
   * `enqueue` for many jobs of one name, sent to Redis as one MULTI. Bull leaves the id of a job
   * unset when its own command failed inside the MULTI.
   */
  enqueueBulk<N extends JobName<Q>>(
    name: N,
    jobs: { data: JobData<Q, N>; jobId: string }[],
  ): Promise<Job<QueueData<Q>>[]> {
    const options = JOB_OPTIONS[this.name][name];
    return this.bull.addBulk(
      jobs.map(({ data, jobId }) => ({ name, data, opts: { ...options, jobId } })),
    );
  }

  getJob(jobId: string): Promise<Job<QueueData<Q>> | null> {
    return this.bull.getJob(jobId);
  }

  /**
   * Runs `handler` for this queue's `name` jobs in this process, `concurrency` at a time (what
   * `@Process` did, with a concurrency that may come from the config). The promise Bull returns
   * settles only when the queue closes, so nobody waits for it.
   */
  consume<N extends JobName<Q>>(
    name: N,
    concurrency: number,
    handler: (job: JobOf<Q, N>) => unknown,
  ): void {
    // Bull hands this handler only jobs named `name`, whose data the catalogue types. One
    // parameter: Bull treats a two-parameter handler as callback-style.
    void this.bull.process(name, concurrency, (job: Job<QueueData<Q>>) =>
      handler(job as JobOf<Q, N>),
    );
  }
}

const jobQueueToken = (name: QueueName): string => `job-queue:${name}`;

/** Injects the typed queue; declare the parameter as `JobQueue<typeof QueueName.X>`. */
export const InjectJobQueue = (name: QueueName): ParameterDecorator => Inject(jobQueueToken(name));

function provideJobQueue<Q extends QueueName>(name: Q): Provider {
  return {
    provide: jobQueueToken(name),
    inject: [getQueueToken(name)],
    useFactory: (bull: Queue<QueueData<Q>>) => new JobQueue(name, bull),
  };
}

export const jobQueueProviders: Provider[] = [
  provideJobQueue(QueueName.System),
  provideJobQueue(QueueName.Installation),
  provideJobQueue(QueueName.Ai),
];
