import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kommoRequest, registerAccountRoute } from '../../src/kommo/index.js';
import { buildSandbox } from '../../src/server.js';
import {
  accountApi,
  accountWithToken,
  startSandbox,
  type Harness,
  type ProblemBody,
  type TestAccount,
} from './helpers.js';

type LogEntry = {
  method: string;
  path: string;
  url: string;
  account_id: number | null;
  status: number;
  at: number;
  body?: unknown;
  kind: string | null;
  outcome: string | null;
};
type Log = { count: number; requests: LogEntry[] };

describe('control API: request log and faults', () => {
  let h: Harness;
  let acme: TestAccount;
  let leadId = 0;
  const api = (method: string, path: string, body?: unknown) =>
    accountApi(h, acme, method, path, body);

  beforeAll(async () => {
    h = await startSandbox();
  });
  beforeEach(async () => {
    await h.control('POST', '/reset', { keep_integration: true });
    await h.control('PATCH', '/settings', { rateLimit: { enabled: false } });
    acme = await accountWithToken(h, { subdomain: 'acme' });
    leadId = (
      await h.control<{ id: number }>('POST', `/accounts/${acme.accountId}/leads`, { name: 'Deal' })
    ).body.id;
  });
  afterAll(() => h.close());

  it('records API calls with account, status, time and body, filters them and clears', async () => {
    await api('GET', '/api/v4/account');
    await api('PATCH', `/api/v4/leads/${leadId}`, { name: 'New' });
    await api('PATCH', `/api/v4/leads/${leadId}`, {});
    const patches = await h.control<Log>(
      'GET',
      `/requests?method=PATCH&path=/api/v4/leads/*&account_id=${acme.accountId}`,
    );
    expect(patches.body.requests.map((r) => [r.status, r.body])).toEqual([
      [200, { name: 'New' }],
      [400, {}],
    ]);
    expect(patches.body.requests[0]).toMatchObject({
      path: `/api/v4/leads/${leadId}`,
      url: `/a/acme/api/v4/leads/${leadId}`,
    });
    expect(patches.body.requests[0]?.at).toEqual(expect.any(Number));
    const ok = await h.control<Log>('GET', '/requests?status=200');
    expect(ok.body.count).toBe(2);
    // Control calls are not logged.
    expect((await h.control<Log>('GET', '/requests?path=/_sandbox*')).body.count).toBe(0);
    await h.control('DELETE', '/requests');
    expect((await h.control<Log>('GET', '/requests')).body.count).toBe(0);
  });

  it('answers the next N matching requests with an injected status', async () => {
    await h.control('POST', '/faults', {
      path: '/api/v4/leads/*',
      method: 'PATCH',
      count: 2,
      status: 503,
    });
    await h.control('POST', '/faults', { path: '/api/v4/account', status: 429, retry_after: 7 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push((await api('PATCH', `/api/v4/leads/${leadId}`, { name: `n${i}` })).status);
    }
    expect(statuses).toEqual([503, 503, 200]);
    const limited = await api('GET', '/api/v4/account');
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as ProblemBody).retry_after).toBe(7);
    expect((await api('GET', '/api/v4/account')).status).toBe(200);
    const faulted = await h.control<Log>('GET', '/requests?status=503');
    expect(faulted.body.requests.map((r) => r.outcome)).toEqual(['fault', 'fault']);
    expect((await h.control<{ faults: unknown[] }>('GET', '/faults')).body.faults).toEqual([]);
  });

  it('slows a request down by delay_ms and lets it through', async () => {
    await h.control('POST', '/faults', { path: '/api/v4/account', delay_ms: 300 });
    const started = Date.now();
    const response = await api('GET', '/api/v4/account');
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('hangs a request until the client gives up', async () => {
    await h.control('POST', '/faults', {
      path: '/oauth2/access_token',
      hang: true,
      hang_ms: 2_000,
    });
    const attempt = fetch(`${h.base}/a/acme/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(300),
    });
    await expect(attempt).rejects.toThrow();
    expect((await api('GET', '/api/v4/account')).status).toBe(200);
  });

  it('moves the clock and resets everything', async () => {
    const before = (await h.control<{ now: number }>('GET', '/clock')).body.now;
    const after = (await h.control<{ now: number }>('POST', '/clock/advance', { hours: 2 })).body
      .now;
    expect(after - before).toBeGreaterThanOrEqual(7_200_000);
    await h.control('POST', '/reset');
    expect((await h.control<{ accounts: unknown[] }>('GET', '/accounts')).body.accounts).toEqual(
      [],
    );
    expect((await h.call('GET', '/a/acme/api/v4/account', { token: acme.token })).status).toBe(404);
  });
});

describe('the API guard for other parts, and persistence', () => {
  it('guards a route registered by another part with registerAccountRoute', async () => {
    const { app, context } = buildSandbox();
    registerAccountRoute(app, context, {
      method: 'POST',
      url: '/api/v4/guard-probe/:bot/continue/:id',
      auth: 'admin',
      kind: 'salesbot.continue',
      handler: async (request, reply) => {
        const { account, user } = kommoRequest(request);
        return reply.code(202).send({ account: account.id, user: user?.id });
      },
    });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const admin = context.kommo.createAccount({ subdomain: 'bots' });
    const clerk = context.kommo.createAccount({
      subdomain: 'clerks',
      current_user_is_admin: false,
    });
    const token = (accountId: number, userId: number) =>
      context.kommo.oauth.issueTokens(accountId, userId, context.kommo.integration.client_id)
        .access_token;
    const post = (prefix: string, bearer?: string) =>
      fetch(`${base}${prefix}/api/v4/guard-probe/1/continue/2`, {
        method: 'POST',
        headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      });
    const ok = await post('/a/bots', token(admin.id, admin.current_user_id));
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ account: admin.id, user: admin.current_user_id });
    expect((await post('/a/bots')).status).toBe(401);
    expect((await post('/a/clerks', token(clerk.id, clerk.current_user_id))).status).toBe(403);
    expect(context.kommo.requests.list({ kind: 'salesbot.continue' }).map((r) => r.status)).toEqual(
      [202, 401, 403],
    );
    await app.close();
  });

  it('keeps state in a JSON file when asked and loads it on the next start', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kommo-sandbox-')), 'state.json');
    const first = buildSandbox({ kommoStateFile: file });
    const account = first.context.kommo.createAccount({ subdomain: 'saved' });
    first.context.kommo.createLead(account.id, { name: 'Kept', tags: ['x'] });
    const pair = first.context.kommo.oauth.issueTokens(
      account.id,
      account.current_user_id,
      first.context.kommo.integration.client_id,
    );
    await first.app.close();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1 });

    const second = buildSandbox({ kommoStateFile: file });
    const base = await second.app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${base}/a/saved/api/v4/leads`, {
      headers: { authorization: `Bearer ${pair.access_token}` },
    });
    const body = (await response.json()) as { _embedded: { leads: { name: string }[] } };
    expect(body._embedded.leads.map((l) => l.name)).toEqual(['Kept']);
    await second.app.close();
  });
});
