import { getQueueToken } from '@nestjs/bull';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Queue } from 'bull';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueName } from '../../src/queues/job-catalogue';
import { WorkerModule } from '../../src/worker.module';
import { testEnv } from '../support/test-env';

describe('worker', () => {
  let worker: INestApplicationContext;

  beforeAll(async () => {
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(testEnv()), {
      logger: false,
    });
    await worker.init();
  });
  afterAll(async () => {
    await worker.close();
  });

  it('consumes a job from the real Redis and returns its result', async () => {
    const queue = worker.get<Queue>(getQueueToken(QueueName.System));
    const job = await queue.add('ping', { sentAt: 'now' }, { removeOnComplete: true });
    const result = (await job.finished()) as { pong: boolean; sentAt: string };
    expect(result).toMatchObject({ pong: true, sentAt: 'now' });
  });
});
