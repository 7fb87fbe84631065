import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppConfig } from '../../src/config/app-config';
import { KommoClientFactory } from '../../src/integrations/kommo/kommo-client';
import { KommoRateLimiter } from '../../src/integrations/kommo/kommo-rate-limiter';
import { type KommoTokenSource } from '../../src/integrations/kommo/kommo-token-source';
import { SandboxProcess } from '../support/sandbox';
import { TEST_REDIS_URL, testEnv } from '../support/test-env';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Writer = { account: number; write: () => Promise<unknown> };

/**
 * The limiter against the sandbox's own count of Kommo's 7 per second: a lost limiter state
 * (FLUSHDB, as a Redis restart without persistence) and many accounts behind one address.
 */
describe('Kommo budget after a lost state and across installations', () => {
  let sandbox: SandboxProcess;
  let redis: Redis;
  const limiters: KommoRateLimiter[] = [];
  const factories: KommoClientFactory[] = [];
  const tokens: Record<string, string> = {}; // by installation id
  const source: KommoTokenSource = {
    accessToken: (id) => Promise.resolve(tokens[id] ?? ''),
    refreshAfterRejection: () => Promise.reject(new Error('no 401 expected')),
    relocate: () => Promise.resolve(null),
  };

  /** Two processes' worth of limiters and clients, with the given budget variables. */
  function processes(env: Record<string, string>): KommoClientFactory[] {
    const config = new AppConfig(
      testEnv({ KOMMO_API_URL_TEMPLATE: sandbox.apiUrlTemplate, ...env }),
    );
    return [0, 1].map(() => {
      const limiter = new KommoRateLimiter(config);
      limiters.push(limiter);
      const factory = new KommoClientFactory(config, limiter, source);
      factories.push(factory);
      return factory;
    });
  }

  /** An account with a lead, and a function that writes a note on it through process i % 2. */
  async function writer(pair: KommoClientFactory[], subdomain: string): Promise<Writer[]> {
    const account = await sandbox.createAccount({ subdomain });
    const { access_token: token } = await sandbox.issueTokens(account.id);
    const lead = await sandbox.createLead(account.id, { name: 'busy lead' });
    const target = { installationId: randomUUID(), host: account.host, subdomain };
    tokens[target.installationId] = token;
    return pair.map((factory) => {
      const client = factory.forInstallation(target);
      return {
        account: account.id,
        write: () =>
          client.addLeadNotes([
            { entity_id: lead.id, note_type: 'common', params: { text: 'written' } },
          ]),
      };
    });
  }

  beforeAll(async () => {
    sandbox = await SandboxProcess.start();
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    for (const factory of factories) factory.onModuleDestroy();
    for (const limiter of limiters) limiter.onModuleDestroy();
    redis?.disconnect();
    await sandbox?.stop();
  });

  it('a burst of writes right after FLUSHDB, while Kommo still counts the last second, gets no 429', async () => {
    const pair = processes({ KOMMO_RATE_LIMIT_PER_SECOND: '6' });
    const [a, b] = await writer(pair, 'flushed');
    // Saturated: 6 writes a second for 2.5 s, with a queue still waiting behind them.
    const saturating = Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b)!.write()));
    await sleep(2_500);
    await sandbox.clearRequests();
    await redis.flushdb();
    const burst = Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b)!.write()));
    await Promise.all([saturating, burst]);
    const counters = await sandbox.counters();
    expect(counters.total).toBeGreaterThanOrEqual(12 + 24 - 16);
    expect(counters).toMatchObject({ status429: 0, status403: 0, blocked: 0 });
  }, 30_000);

  it('with the sandbox counting per address and the egress budget on, many accounts writing at once get no 429', async () => {
    await sandbox.call('PATCH', '/_sandbox/settings', { rateLimit: { scope: 'ip' } });
    try {
      const pair = processes({
        KOMMO_RATE_LIMIT_PER_SECOND: '6',
        KOMMO_EGRESS_RATE_LIMIT_PER_SECOND: '6',
      });
      const writers = await Promise.all(
        Array.from({ length: 5 }, (_, i) => writer(pair, `shop-${i}`)),
      );
      await sleep(1_100); // the account set-up calls above went outside the limiter
      await sandbox.clearRequests();
      const started = Date.now();
      // 5 accounts × 6 writes, all at once, from two processes.
      await Promise.all(
        writers.flatMap((w) => Array.from({ length: 6 }, (_, i) => w[i % 2]!.write())),
      );
      const seconds = (Date.now() - started) / 1000;
      const counters = await sandbox.counters();
      expect(counters).toMatchObject({ total: 30, status429: 0, status403: 0 });
      // One budget for all: 30 requests at 6/s take about 5 s.
      expect(seconds).toBeGreaterThan(4);
    } finally {
      await sandbox.call('PATCH', '/_sandbox/settings', { rateLimit: { scope: 'account' } });
    }
  }, 30_000);
});
