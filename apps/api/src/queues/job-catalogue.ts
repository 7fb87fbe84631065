import { type JobOptions } from 'bull';

/**
 * The job catalogue: every Bull queue, every job it carries and the data that job holds, named
 * once here so that producers and consumers cannot disagree on a string or a shape.
 *
 * Jobs outlive deploys: a job added by the previous release may sit in Redis (waiting, delayed,
 * retrying, or as the next run of a repeatable job) when this one starts. So the queue names, job
 * names and data shapes below are those the previous releases wrote, job ids are built as before
 * (their dedupe depends on it), and the options are the same numbers; change one only with a
 * consumer that still accepts what is queued, until those jobs are gone.
 */
export const QueueName = {
  System: 'system',
  Installation: 'installation',
  Ai: 'ai',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** `ping`: answered by any worker, so an operator (and a test) can see that workers consume. */
export type PingData = { sentAt: string };

/** The code Kommo's install call sent, encrypted at rest (Redis is not for secrets). */
export type ExchangeCodeData = { host: string; subdomain: string; codeEnc: string };
export type InstallationRef = { installationId: string };
/** The repeatable refresh job carries nothing: it looks up what is due when it runs. */
export type NoData = Record<string, never>;

/** "Answer what is pending for this lead"; the request id is for tracing and the job id. */
export type DrainData = { installationId: string; leadId: number; requestId: string };

/** Queue → job name → the job's data. */
export interface JobMap {
  system: { ping: PingData };
  installation: {
    'exchange-code': ExchangeCodeData;
    'provision-fields': InstallationRef;
    'refresh-tokens': NoData;
    'sync-account': InstallationRef;
    'subscribe-chat-events': InstallationRef;
  };
  ai: { drain: DrainData };
}

export type JobName<Q extends QueueName> = keyof JobMap[Q] & string;
export type JobData<Q extends QueueName, N extends JobName<Q>> = JobMap[Q][N];

// Kommo hiccups are retried with backoff; finished jobs leave Redis, failed ones stay for support.
const KOMMO_RETRIED = {
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: true,
  removeOnFail: 100,
} as const;

/** Each job's options; `enqueue` adds only a job id (dedupe) or a repeat where the caller gives one. */
export const JOB_OPTIONS: {
  readonly [Q in QueueName]: { readonly [N in JobName<Q>]: JobOptions };
} = {
  system: { ping: {} },
  installation: {
    // Kommo sends the install call once; the code lives 20 minutes, so retry within that.
    'exchange-code': { attempts: 6, ...KOMMO_RETRIED },
    'provision-fields': { attempts: 5, ...KOMMO_RETRIED },
    'refresh-tokens': { removeOnComplete: true, removeOnFail: 20 },
    'sync-account': { attempts: 3, ...KOMMO_RETRIED },
    // Kommo down or busy at install: retried; a refusal (plan, rights) is stored, not thrown.
    'subscribe-chat-events': { attempts: 5, ...KOMMO_RETRIED },
  },
  ai: {
    drain: {
      attempts: 6,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: 500,
    },
  },
};
