import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KommoClientFactory } from '../../src/integrations/kommo/kommo-client';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';

const CALLS = 300;
const IN_FLIGHT = 25;

/**
 * Acceptance: 300 calls for one installation as fast as they can be made: no 429 at the sandbox,
 * and the time taken within 20% of 300 / budget (6/s → 50 s).
 */
describe('Kommo request budget', () => {
  let stack: KommoStack;

  beforeAll(async () => {
    stack = await startKommoStack({ worker: true });
  });
  afterAll(async () => {
    await stack?.db.query(`DELETE FROM installations`);
    await stack?.stop();
  });

  it(`${CALLS} calls: zero 429 and about ${CALLS}/budget seconds`, async () => {
    const account = await stack.sandbox.createAccount({ subdomain: 'budget' });
    await stack.sandbox.install(account.id);
    const [installation] = await waitFor(
      () =>
        stack.db.query<{ id: string; host: string; subdomain: string }[]>(
          `SELECT id, host, subdomain FROM installations WHERE kommo_account_id = $1`,
          [account.id],
        ),
      (rows) => rows.length === 1,
    );
    // Provisioning (a few calls) shares the budget; let it finish first.
    await waitFor(
      () =>
        stack.db.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM installation_fields WHERE installation_id = $1`,
          [installation!.id],
        ),
      (rows) => rows[0]?.n === 6,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await stack.sandbox.clearRequests();
    const before = await stack.sandbox.counters();

    const client = stack.api.get(KommoClientFactory).forInstallation({
      installationId: installation!.id,
      host: installation!.host,
      subdomain: installation!.subdomain,
    });
    // As fast as callers can go: a constant queue of calls in flight, the limiter paces them.
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < CALLS) {
          next += 1;
          await client.getAccount();
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;

    const budget = stack.env.KOMMO_RATE_LIMIT_PER_SECOND;
    const expected = CALLS / budget;
    const after = await stack.sandbox.counters();
    const calls = await stack.sandbox.requests({ path: '/api/v4/account', account_id: account.id });
    console.log(`${CALLS} Kommo calls took ${seconds.toFixed(1)} s (ideal ${expected} s)`);
    expect(calls).toHaveLength(CALLS);
    expect(calls.every((c) => c.status === 200)).toBe(true);
    expect(after.status429 - before.status429).toBe(0);
    expect(after.status403 - before.status403).toBe(0);
    expect(seconds).toBeGreaterThan(expected * 0.8);
    expect(seconds).toBeLessThan(expected * 1.2);
  }, 120_000);
});
