import { getQueueToken } from '@nestjs/bull';
import { type Job, type Queue } from 'bull';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueName } from '../../src/queues/job-catalogue';
import { busiestWindow, explainRefusals, KommoSendLedger } from '../support/kommo-ledger';
import {
  type KommoStack,
  settledInstallation,
  spawnWorker,
  startKommoStack,
  stopWorkers,
} from '../support/kommo-stack';

const CALLS = 100;
const TIMEOUT_MS = 120_000;

const KOMMO_CLOCK_MOVED_MS = 25 * 60 * 60 * 1000;

/**
 * Acceptance: 100 concurrent Kommo calls from two worker processes with an expired access token
 * make exactly one refresh, never reuse a refresh token, and all succeed, within the one budget
 * both processes share (every request booked in it, never more than the budget in a second, no
 * 429 the machine's delivery delays do not explain: kommo-ledger.ts).
 */
describe('token refresh across two worker processes', () => {
  let stack: KommoStack;
  let ledger: KommoSendLedger;
  let installationId: string;
  let accountId: number;

  beforeAll(async () => {
    stack = await startKommoStack();
    ledger = await KommoSendLedger.start(stack.env.REDIS_URL, stack.env.REDIS_PREFIX);
    const account = await stack.sandbox.createAccount({ subdomain: 'refresh' });
    accountId = account.id;
    // Two real worker processes (dist/worker.js) do the install and then the calls.
    await Promise.all([spawnWorker(stack.vars), spawnWorker(stack.vars)]);
    // The install's last call, the account webhook's read-back, made late as on a loaded machine
    // (CI once counted it among the 100 calls below).
    await stack.sandbox.addFault({ path: '/api/v4/webhooks', method: 'GET', delay_ms: 2_500 });
    await stack.sandbox.install(accountId);
    // Only our calls are in flight below: the install's own (fields, webhook) are over.
    installationId = (await settledInstallation(stack, accountId)).id;
  }, 120_000);
  afterAll(async () => {
    ledger?.stop();
    await stopWorkers(); // both, also when one of them failed to start
    await stack?.db.query(`DELETE FROM installations`);
    await stack?.stop();
  });

  const runCalls = async (): Promise<void> => {
    const queue = stack.api.get<Queue>(getQueueToken(QueueName.Installation));
    const jobs: Job[] = await Promise.all(
      Array.from({ length: CALLS }, () =>
        queue.add('sync-account', { installationId }, { removeOnComplete: false }),
      ),
    );
    const results = await Promise.allSettled(jobs.map((job) => job.finished()));
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);
    await Promise.all(jobs.map((job) => job.remove()));
  };

  /**
   * Runs the jobs and checks the budget both workers shared; returns the statuses Kommo gave the
   * account reads, after one good refresh, without the 429s (each retried).
   */
  const runCallsExpectingOneRefresh = async (clockOffsetMs = 0): Promise<number[]> => {
    const phaseStart = Date.now();
    await runCalls();
    const refreshes = await stack.sandbox.requests({ kind: 'oauth.refresh_token' });
    expect(refreshes.map((r) => r.status)).toEqual([200]);

    const inbound = await stack.sandbox.requests({ account_id: accountId, direction: 'in' });
    const sends = await ledger.sendsOf(installationId, phaseStart, inbound.length);
    const budget = stack.env.KOMMO_RATE_LIMIT_PER_SECOND;
    const refusals = explainRefusals(inbound, sends, budget, clockOffsetMs);
    for (const line of refusals.lines) console.log(line);
    // Every request Kommo saw, the refresh and any retry included, was booked in the budget, and
    // the two processes together never booked more than `budget` in a second.
    expect(sends).toHaveLength(inbound.length);
    expect(busiestWindow(sends)).toBeLessThanOrEqual(budget);
    expect(refusals.unexplained, refusals.lines.join('\n')).toBe(0);
    const counters = await stack.sandbox.counters();
    expect(counters.status429).toBe(inbound.filter((r) => r.status === 429).length);
    expect(counters.status403).toBe(0);

    const calls = inbound.filter((c) => c.path === '/api/v4/account');
    const others = inbound.filter((c) => c.path !== '/api/v4/account');
    // and the one refresh; anything else is named, so a failure says what the extra call was
    expect(others.map((c) => `${c.time} ${c.method} ${c.path} ${c.kind} ${c.status}`)).toHaveLength(
      1,
    );
    return calls.map((c) => c.status).filter((status) => status !== 429);
  };

  it(
    'token expired on our side: one refresh, every call succeeds',
    async () => {
      await stack.sandbox.clearRequests();
      await stack.db.query(
        `UPDATE installations SET token_expires_at = now() - interval '1 minute' WHERE id = $1`,
        [installationId],
      );
      const statuses = await runCallsExpectingOneRefresh();
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      expect(statuses).toHaveLength(CALLS);
    },
    TIMEOUT_MS,
  );

  it(
    'token rejected by Kommo (401): one refresh, one retry each, every call succeeds',
    async () => {
      // Kommo's clock moves past the token's 24 h while ours still thinks it is valid.
      await stack.sandbox.advanceClock(KOMMO_CLOCK_MOVED_MS);
      await stack.sandbox.clearRequests();
      const statuses = await runCallsExpectingOneRefresh(KOMMO_CLOCK_MOVED_MS);
      expect(statuses.filter((status) => status === 200)).toHaveLength(CALLS);
      // Every other call was a 401 answered by the one refresh; nothing else failed.
      expect(statuses.filter((status) => status !== 200 && status !== 401)).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
