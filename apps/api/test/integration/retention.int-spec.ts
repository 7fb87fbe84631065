import { getQueueToken } from '@nestjs/bull';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Queue } from 'bull';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetentionTimer } from '../../src/jobs/retention.timer';
import { RetentionService } from '../../src/domain/requests/retention/retention.service';
import { QueueName } from '../../src/queues/job-catalogue';
import { WorkerModule } from '../../src/worker.module';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import { TEST_REDIS_PREFIX, TEST_REDIS_URL } from '../support/test-env';
import { usageCount } from '../support/webhook-stack';

// Issue 19 §16: customer texts and idle conversation memory go after RETENTION_DAYS (30);
// counts, statuses, usage and audit stay (uninstall-purge and lead-erase cover the rest).
let stack: KommoStack;
let retention: RetentionService;

beforeAll(async () => {
  // A worker runs a pass when it starts: it would race this file's own rows and passes, so the
  // turn is taken for it (the last test frees it to see that pass).
  const redis = new Redis(TEST_REDIS_URL);
  await redis.set(`${TEST_REDIS_PREFIX}:retention:turn`, 'this test', 'PX', 3_600_000);
  redis.disconnect();
  stack = await startKommoStack({ worker: true });
  retention = stack.worker!.get(RetentionService);
});

afterAll(async () => {
  await stack?.stop();
});

type Stored = {
  id: string;
  status: string;
  answer: string | null;
  log_line: string | null;
  error_class: string | null;
  error_message: string | null;
  params: Record<string, unknown>;
  total_tokens: number | null;
  latency_ms: number | null;
  counted_on: Date | null;
  texts_removed_at: Date | null;
  prompt_text: string | null;
  prompt_memory_messages: number | null;
  prompt_media: string[] | null;
};

const stored = (where: string, args: unknown[]) =>
  stack.db.query<Stored[]>(
    `SELECT id, status, answer, log_line, error_class, error_message, params, total_tokens,
            latency_ms, counted_on, texts_removed_at, prompt_text, prompt_memory_messages,
            prompt_media
       FROM ai_requests WHERE ${where} ORDER BY seq`,
    args,
  );

const count = async (sql: string, args: unknown[]) =>
  Number((await stack.db.query<{ n: string }[]>(sql, args))[0]!.n);

/** A bare active installation with requests stored as a finished pipeline leaves them. */
async function accountWithHistory(accountId: number) {
  const [row] = await stack.db.query<{ id: string }[]>(
    `INSERT INTO installations (kommo_account_id, subdomain, host, status)
     VALUES ($1, $2, $3, 'active') RETURNING id`,
    [accountId, `keep${accountId}`, `keep${accountId}.kommo.com`],
  );
  const id = row!.id;
  const add = (age: string, status: string, lead: number) =>
    stack.db.query(
      `INSERT INTO ai_requests
         (installation_id, kind, mode, lead_id, delivery_key, status, params, answer, log_line,
          error_class, error_message, total_tokens, latency_ms, counted_on, received_at,
          finished_at, prompt_text, prompt_memory_messages, prompt_media)
       VALUES ($1, 'assistant', $2, $3, $4, $5, $6, $7, $8, $9, $10, 42, 900,
               CASE WHEN $5 = 'done' THEN current_date END, now() - $11::interval,
               now() - $11::interval, 'Hi, I am Ana from 1 Main St', 4, '{image}')`,
      [
        id,
        status === 'failed' ? 'widget' : 'classic',
        lead,
        `k-${lead}-${age}-${status}`,
        status,
        status === 'failed'
          ? {
              widget: {
                continuePath: '/api/v4/salesbot/7/continue/9',
                data: { message: 'Hi, I am Ana' },
              },
            }
          : { model: 'gpt-4o-mini', leadFields: { '501': 'My address is 1 Main St' } },
        status === 'done' ? 'Your order ships to 1 Main St' : null,
        status === 'done' ? 'ok' : 'ERROR OpenAI: quoted "I am Ana"',
        status === 'failed' ? 'bad_request' : null,
        status === 'failed' ? 'the provider quoted "I am Ana"' : null,
        age,
      ],
    );
  await add('40 days', 'done', 11);
  await add('40 days', 'failed', 12);
  await add('40 days', 'queued', 13); // still in work: left alone
  await add('2 days', 'done', 14);
  await stack.db.query(
    `INSERT INTO usage_daily (installation_id, day, kind, requests, tokens)
     VALUES ($1, current_date - 40, 'assistant', 1, 42)`,
    [id],
  );
  await stack.db.query(
    `INSERT INTO lead_conversations (installation_id, lead_id, provider_key, state, updated_at)
     VALUES ($1, 11, 'openai', '{"conversationId":"conv_old"}', now() - interval '40 days'),
            ($1, 14, 'openai-compatible', '{"history":[{"role":"user","content":"hi"}]}',
             now() - interval '2 days')`,
    [id],
  );
  return id;
}

describe('retention of customer texts (RETENTION_DAYS)', () => {
  // The rows below are written as the pipeline leaves them; the worker must not pick up the one
  // left `queued` (its sweeper would, after 5 s), so this process's worker holds its jobs.
  const aiQueue = () => stack.worker!.get<Queue>(getQueueToken(QueueName.Ai));
  beforeAll(async () => {
    await aiQueue().pause(true);
  });
  afterAll(async () => {
    await aiQueue().resume(true);
  });

  it('removes texts older than 30 days, keeps recent ones, statuses, counts and usage', async () => {
    const id = await accountWithHistory(880001);
    const before = await stored('installation_id = $1', [id]);

    const report = await retention.run();
    expect(report.textsRemoved).toBeGreaterThanOrEqual(2);

    const after = await stored('installation_id = $1', [id]);
    expect(after).toHaveLength(4);
    const [oldDone, oldFailed, oldQueued, recent] = after;
    expect(oldDone).toMatchObject({
      status: 'done',
      answer: null,
      log_line: null,
      error_message: null,
      params: { model: 'gpt-4o-mini' },
      total_tokens: 42,
      latency_ms: 900,
      counted_on: before[0]!.counted_on,
      // The prompt as sent is customer text; its length and media kinds are not.
      prompt_text: null,
      prompt_memory_messages: 4,
      prompt_media: ['image'],
    });
    expect(oldDone!.texts_removed_at).toBeInstanceOf(Date);
    expect(oldFailed).toMatchObject({
      status: 'failed',
      error_class: 'bad_request',
      error_message: null,
      log_line: null,
      prompt_text: null,
      params: { widget: { continuePath: '/api/v4/salesbot/7/continue/9' } },
    });
    expect(JSON.stringify(after.slice(0, 2))).not.toMatch(/Main St|Ana/);
    // A request still in work and a recent one keep everything.
    expect(oldQueued).toEqual(before[2]);
    expect(recent).toEqual(before[3]);
    expect(await usageCount(stack, id)).toBe(1);

    // Memory untouched for 30 days is forgotten; a lead that talked lately keeps its own.
    const memories = await stack.db.query<{ lead_id: string }[]>(
      `SELECT lead_id FROM lead_conversations WHERE installation_id = $1`,
      [id],
    );
    expect(memories.map((m) => Number(m.lead_id))).toEqual([14]);

    // A second pass finds nothing more of this account's.
    await retention.run();
    expect(await stored('installation_id = $1', [id])).toEqual(after);
  });

  it('works through a backlog in batches of 5,000 rows, one statement each', async () => {
    const id = await accountWithHistory(880002);
    await stack.db.query(
      `INSERT INTO ai_requests (installation_id, kind, mode, lead_id, delivery_key, status, answer,
                                received_at)
       SELECT $1, 'chatgpt', 'classic', g, 'bulk-' || g, 'done', 'answer ' || g,
              now() - interval '31 days'
         FROM generate_series(1, 12000) g`,
      [id],
    );
    const report = await retention.run();
    // 12,002 rows of this account: 5,000 + 5,000 + 2,002 (+ a last empty look for memories).
    expect(report.textsRemoved).toBe(12_002);
    expect(report.batches).toBeGreaterThanOrEqual(3);
    expect(
      await count(
        `SELECT count(*) AS n FROM ai_requests WHERE installation_id = $1 AND answer IS NOT NULL`,
        [id],
      ),
    ).toBe(1); // the 2-day-old one
  });

  it('runs in the worker by itself, one worker per interval (a Redis turn)', async () => {
    const id = await accountWithHistory(880003);
    const redis = new Redis(stack.env.REDIS_URL);
    let second: INestApplicationContext | undefined;
    try {
      await redis.del(`${stack.env.REDIS_PREFIX}:retention:turn`);
      // A worker that starts runs a pass at once, without anyone calling it.
      second = await NestFactory.createApplicationContext(WorkerModule.forRoot(stack.env), {
        logger: false,
      });
      await second.init();
      await waitFor(
        () =>
          count(
            `SELECT count(*) AS n FROM ai_requests WHERE installation_id = $1 AND answer IS NOT NULL`,
            [id],
          ),
        (n) => n === 1,
      );
      // Its turn holds for 80 % of the interval: neither worker runs again, whoever asks.
      const jobs = [stack.worker!.get(RetentionTimer), second.get(RetentionTimer)];
      expect(await Promise.all(jobs.map((job) => job.tick()))).toEqual([null, null]);
      // Once the turn is free, two workers asking together make one pass.
      await redis.del(`${stack.env.REDIS_PREFIX}:retention:turn`);
      const ticks = await Promise.all(jobs.map((job) => job.tick()));
      expect(ticks.filter((t) => t !== null)).toHaveLength(1);
      const ttl = await redis.pttl(`${stack.env.REDIS_PREFIX}:retention:turn`);
      expect(ttl).toBeGreaterThan(0.7 * stack.env.RETENTION_INTERVAL_MS);
    } finally {
      await second?.close();
      redis.disconnect();
    }
  });
});
