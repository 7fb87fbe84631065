import { type ChildProcess } from 'node:child_process';
import { type Server } from 'node:net';
import Redis from 'ioredis';
import { Client } from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type KommoStack,
  spawnWorker,
  startKommoStack,
  stopProcess,
  waitFor,
} from '../support/kommo-stack';
import { freePort } from '../support/redis-server';
import { forwardPort } from '../support/tcp-proxy';
import { TEST_DATABASE_URL, TEST_REDIS_URL, testEnvVars } from '../support/test-env';
import {
  createLeadWith,
  installAccount,
  leadValues,
  postJson,
  providerSettings,
  settled,
} from '../support/webhook-stack';

// A running worker process rides out what a PostgreSQL or Redis restart does to its connections
// (issue 19 point 12): terminated backends answer 57P01 exactly as a restart does, and killed
// Redis clients see the socket close as they would when Redis goes away.
const KEY = 'sk-test-outages-01';

let stack: KommoStack | undefined;
let worker: ChildProcess | undefined;
let output = '';

afterEach(async () => {
  if (worker) await stopProcess(worker);
  worker = undefined;
  await stack?.stop();
  stack = undefined;
});

async function start(): Promise<{ ask: (text: string) => Promise<number>; accountId: number }> {
  stack = await startKommoStack({ worker: false });
  worker = await spawnWorker(stack.vars);
  output = '';
  worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const shop = await installAccount(stack);
  await providerSettings(stack).save(shop.installationId, { openaiApiKey: KEY });
  await stack.sandbox.aiScript(KEY, { answer: { mode: 'echo' }, latencyMs: 1_000 });
  const ask = async (text: string) => {
    const lead = await createLeadWith(stack!, shop.account.id, { PROMPT: text });
    expect((await postJson(shop.chatgptUrl, { lead_id: lead })).status).toBe(200);
    return lead;
  };
  // Answered once, so the worker's pools hold open connections when the fault comes.
  await ask('warm up');
  await settled(stack, shop.installationId);
  return { ask, accountId: shop.account.id };
}

/** What a PostgreSQL restart does to every session of the test database. */
async function terminateBackends(): Promise<number> {
  const admin = new URL(TEST_DATABASE_URL);
  const name = decodeURIComponent(admin.pathname.slice(1));
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const result = await client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [name],
    );
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/** Closes every Redis connection on the test db index (and only those), as a restart would. */
async function killRedisClients(): Promise<number> {
  const db = new URL(TEST_REDIS_URL).pathname.slice(1) || '0';
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const me = String(await redis.client('ID'));
    const list = String(await redis.client('LIST'));
    const ids = list
      .split('\n')
      .map((line) => new Map(line.split(' ').map((kv) => kv.split('=') as [string, string])))
      .filter((c) => c.get('db') === db && c.get('id') && c.get('id') !== me)
      .map((c) => c.get('id')!);
    for (const id of ids) await redis.client('KILL', 'ID', id);
    return ids.length;
  } finally {
    redis.disconnect();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function answered(accountId: number, lead: number, text: string): Promise<void> {
  await waitFor(
    () => leadValues(stack!, accountId, lead),
    (values) => values.ANSWER?.includes(text) === true,
    40_000,
  );
}

describe('a running worker and PostgreSQL or Redis going away', () => {
  it('PostgreSQL terminates every session, also mid-request: the worker lives and answers', async () => {
    const { ask, accountId } = await start();
    const inFlight = await ask('asked before the fault');
    // The request is at the provider (its lead lock held on an idle connection) when it hits.
    await sleep(500);
    expect(await terminateBackends()).toBeGreaterThan(0);
    await sleep(1_500);
    expect(worker!.exitCode, output).toBeNull();
    expect(worker!.signalCode, output).toBeNull();

    const after = await ask('asked after the fault');
    await answered(accountId, inFlight, 'asked before the fault');
    await answered(accountId, after, 'asked after the fault');
    expect(worker!.exitCode, output).toBeNull();
    // Said, and said once per pool (the app's and the lead locks'), not once per connection.
    const said = output.match(/PostgreSQL connection lost/g)?.length ?? 0;
    expect(said, output).toBeGreaterThanOrEqual(1);
    expect(said, output).toBeLessThanOrEqual(2);
  }, 120_000);

  it('Redis closes every connection of the worker: the worker lives and answers', async () => {
    const { ask, accountId } = await start();
    expect(await killRedisClients()).toBeGreaterThan(0);
    await sleep(1_500);
    expect(worker!.exitCode, output).toBeNull();

    const after = await ask('asked after the Redis fault');
    await answered(accountId, after, 'asked after the Redis fault');
    expect(worker!.exitCode, output).toBeNull();
  }, 120_000);
});

describe('a worker started while PostgreSQL is down', () => {
  it('waits for it instead of exiting, and starts once it answers', async () => {
    const port = await freePort();
    const url = new URL(TEST_DATABASE_URL);
    url.port = String(port);
    let proxy: Server | undefined;
    const later = setTimeout(
      () => void forwardPort(port, new URL(TEST_DATABASE_URL), 5432).then((s) => (proxy = s)),
      2_000,
    );
    try {
      const started = Date.now();
      // spawnWorker fails if the process exits before it logs "worker started".
      worker = await spawnWorker(testEnvVars({ DATABASE_URL: url.toString() }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    } finally {
      clearTimeout(later);
      if (worker) await stopProcess(worker);
      worker = undefined;
      await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
    }
  }, 60_000);
});
