import { type ChildProcess } from 'node:child_process';
import { getQueueToken } from '@nestjs/bull';
import { type Job, type Queue } from 'bull';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueName } from '../../src/queues/job-catalogue';
import {
  type KommoStack,
  spawnWorker,
  startKommoStack,
  stopProcess,
  waitFor,
} from '../support/kommo-stack';

const CALLS = 100;
const TIMEOUT_MS = 120_000;

/**
 * Acceptance: 100 concurrent Kommo calls from two worker processes with an expired access token
 * make exactly one refresh, never reuse a refresh token, and all succeed.
 */
describe('token refresh across two worker processes', () => {
  let stack: KommoStack;
  let workers: ChildProcess[] = [];
  let installationId: string;
  let accountId: number;

  beforeAll(async () => {
    stack = await startKommoStack();
    const account = await stack.sandbox.createAccount({ subdomain: 'refresh' });
    accountId = account.id;
    // Two real worker processes (dist/worker.js) do the install and then the calls.
    workers = await Promise.all([spawnWorker(stack.vars), spawnWorker(stack.vars)]);
    await stack.sandbox.install(accountId);
    const rows = await waitFor(
      () =>
        stack.db.query<{ id: string }[]>(
          `SELECT id FROM installations WHERE kommo_account_id = $1 AND status = 'active'`,
          [accountId],
        ),
      (r) => r.length === 1,
    );
    installationId = rows[0]!.id;
    // Let provisioning finish so only our calls are in flight below.
    await waitFor(
      () =>
        stack.db.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM installation_fields WHERE installation_id = $1`,
          [installationId],
        ),
      (r) => r[0]?.n === 6,
    );
  });
  afterAll(async () => {
    await Promise.all(workers.map(stopProcess));
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

  /** Runs the jobs; returns the statuses Kommo gave the account reads, after one good refresh. */
  const runCallsExpectingOneRefresh = async (): Promise<number[]> => {
    await runCalls();
    const refreshes = await stack.sandbox.requests({ kind: 'oauth.refresh_token' });
    expect(refreshes.map((r) => r.status)).toEqual([200]);
    const calls = await stack.sandbox.requests({ path: '/api/v4/account', account_id: accountId });
    return calls.map((c) => c.status);
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
      await stack.sandbox.advanceClock(25 * 60 * 60 * 1000);
      await stack.sandbox.clearRequests();
      const statuses = await runCallsExpectingOneRefresh();
      expect(statuses.filter((status) => status === 200)).toHaveLength(CALLS);
      // Every other call was a 401 answered by the one refresh; nothing else failed.
      expect(statuses.filter((status) => status !== 200 && status !== 401)).toEqual([]);
      const counters = await stack.sandbox.counters();
      expect(counters.status429).toBe(0);
    },
    TIMEOUT_MS,
  );
});
