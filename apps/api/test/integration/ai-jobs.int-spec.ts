import { Logger } from '@nestjs/common';
import Queue from 'bull';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AiJobs } from '../../src/domain/requests/ai-jobs';
import { type DrainData, QueueName } from '../../src/queues/job-catalogue';
import { JobQueue } from '../../src/queues/job-queue';
import { TEST_REDIS_URL } from '../support/test-env';

// The producer against the real Redis: adds asked for together share one MULTI, and every
// caller learns whether its own job was taken.
describe('AiJobs', () => {
  let queue: Queue.Queue<DrainData>;
  let jobs: AiJobs;

  beforeAll(async () => {
    queue = new Queue<DrainData>('ai-jobs-spec', TEST_REDIS_URL, { prefix: 'test-ai-jobs' });
    await queue.isReady();
    jobs = new AiJobs(new JobQueue(QueueName.Ai, queue));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await queue.empty();
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  const data = (n: number): DrainData => ({
    installationId: '00000000-0000-4000-8000-000000000001',
    leadId: 1000 + n,
    requestId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  });

  it('sends the adds of one tick as one bulk add, each job with its own id, data and options', async () => {
    const bulk = vi.spyOn(queue, 'addBulk');
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => jobs.drain(data(i))));
    expect(results).toEqual(Array.from({ length: 40 }, () => true));
    expect(bulk).toHaveBeenCalledTimes(1);
    expect(bulk.mock.calls[0]![0]).toHaveLength(40);

    const waiting = await queue.getWaiting();
    expect(waiting).toHaveLength(40);
    const job = await queue.getJob(data(7).requestId);
    expect(job?.name).toBe('drain');
    expect(job?.data).toEqual(data(7));
    expect(job?.opts).toMatchObject({
      attempts: 6,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: 500,
    });
  });

  it('sends adds of later ticks in later bulks', async () => {
    const bulk = vi.spyOn(queue, 'addBulk');
    expect(await jobs.drain(data(1))).toBe(true);
    expect(await jobs.drain(data(2))).toBe(true);
    expect(bulk).toHaveBeenCalledTimes(2);
    expect(await queue.getWaitingCount()).toBe(2);
  });

  it('keeps one job for a job id asked for twice (the sweeper and the ack racing)', async () => {
    const [a, b] = await Promise.all([jobs.drain(data(3)), jobs.drain(data(3))]);
    expect([a, b]).toEqual([true, true]);
    expect(await queue.getWaitingCount()).toBe(1);
  });

  it('wake() adds without being waited for', async () => {
    jobs.wake(data(4));
    await vi.waitFor(async () => expect(await queue.getJob(data(4).requestId)).not.toBeNull());
  });

  it('answers false to every caller of a bulk add that fails, logs it, and never throws', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    vi.spyOn(queue, 'addBulk').mockRejectedValueOnce(new Error('READONLY You cannot write'));
    const results = await Promise.all([jobs.drain(data(5)), jobs.drain(data(6))]);
    expect(results).toEqual([false, false]);
    expect(warn).toHaveBeenCalledWith(
      {
        requests: 2,
        requestIds: [data(5).requestId, data(6).requestId],
        err: 'READONLY You cannot write',
      },
      'enqueue failed; the sweeper will pick the requests up',
    );
    expect(await queue.getWaitingCount()).toBe(0);
    // The next tick is a new bulk, which goes through.
    expect(await jobs.drain(data(5))).toBe(true);
  });
});
