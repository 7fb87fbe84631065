import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  accountApi,
  accountWithToken,
  startSandbox,
  type Harness,
  type ProblemBody,
  type TestAccount,
} from './helpers.js';

type WebhookView = {
  id: number;
  destination: string;
  settings: string[];
  sort: number;
  disabled: boolean;
  account_id: number;
  created_by: number;
  created_at: number;
  updated_at: number;
};
type WebhookList = { _total_items: number; _embedded: { webhooks: WebhookView[] } };

const anyText: unknown = expect.any(String);
const HOOK = 'https://bridge.example/kommo/events/secret-1';

// docs/kommo-contract.md §8.1.1: subscribing, listing, unsubscribing.
describe('Kommo API v4: account webhooks', () => {
  let h: Harness;
  let acme: TestAccount;
  const api = (method: string, path: string, body?: unknown, account: TestAccount = acme) =>
    accountApi(h, account, method, path, body);

  beforeAll(async () => {
    h = await startSandbox();
  });
  beforeEach(async () => {
    await h.control('POST', '/reset', { keep_integration: true });
    await h.control('PATCH', '/settings', { rateLimit: { enabled: false } });
    acme = await accountWithToken(h, {
      subdomain: 'acme',
      users: [
        { name: 'Ana Admin', is_admin: true },
        { name: 'Sam Sales', is_admin: false },
      ],
    });
  });
  afterAll(() => h.close());

  it('subscribes, lists, filters by destination, updates the same destination and deletes it', async () => {
    const created = await api('POST', '/api/v4/webhooks', {
      destination: HOOK,
      settings: ['add_message', 'add_outgoing_message'],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain('application/hal+json');
    const hook = (await created.json()) as WebhookView;
    expect(hook).toMatchObject({
      destination: HOOK,
      settings: ['add_message', 'add_outgoing_message'],
      disabled: false,
      account_id: acme.accountId,
    });
    expect(hook.id).toBeGreaterThan(0);
    expect(hook.created_by).toBeGreaterThan(0);
    expect(hook.created_at).toBeGreaterThan(1_600_000_000);

    const other = 'https://other.example/hook';
    expect(
      (await api('POST', '/api/v4/webhooks', { destination: other, settings: ['add_lead'] }))
        .status,
    ).toBe(201);
    const all = (await (await api('GET', '/api/v4/webhooks')).json()) as WebhookList;
    expect(all._embedded.webhooks.map((w) => w.destination).sort()).toEqual([HOOK, other].sort());
    const filtered = await api(
      'GET',
      `/api/v4/webhooks?filter[destination]=${encodeURIComponent(HOOK)}`,
    );
    const one = (await filtered.json()) as WebhookList;
    expect(one._embedded.webhooks).toHaveLength(1);
    expect(one._embedded.webhooks[0]?.id).toBe(hook.id);

    // The same destination again: the settings sent replace the old list, the id stays.
    const again = await api('POST', '/api/v4/webhooks', {
      destination: HOOK,
      settings: ['add_message'],
    });
    expect(again.status).toBe(201);
    expect((await again.json()) as WebhookView).toMatchObject({
      id: hook.id,
      settings: ['add_message'],
    });
    const afterUpdate = (await (await api('GET', '/api/v4/webhooks')).json()) as WebhookList;
    expect(afterUpdate._embedded.webhooks).toHaveLength(2);

    const deleted = await api('DELETE', '/api/v4/webhooks', { destination: HOOK });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect(
      (await api('GET', `/api/v4/webhooks?filter[destination]=${encodeURIComponent(HOOK)}`)).status,
    ).toBe(204);
    const missing = await api('DELETE', '/api/v4/webhooks', { destination: HOOK });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    await api('DELETE', '/api/v4/webhooks', { destination: other });
    expect((await api('GET', '/api/v4/webhooks')).status).toBe(204);
  });

  it('answers Kommo validation errors for bad bodies and keeps nothing', async () => {
    const empty = await api('POST', '/api/v4/webhooks');
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as ProblemBody).detail).toBe('Request data can not be empty');

    const bad = await api('POST', '/api/v4/webhooks', {
      destination: 'not a url',
      settings: ['add_message', 'message_sent_by_martians'],
      sort: 'first',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await bad.json()) as ProblemBody;
    expect(problem.title).toBe('Bad Request');
    expect(problem['validation-errors']?.[0]?.errors).toEqual([
      { code: 'InvalidValue', path: 'destination', detail: 'Invalid URL' },
      { code: 'NotSupportedChoice', path: 'settings.1', detail: anyText },
      { code: 'InvalidType', path: 'sort', detail: anyText },
    ]);

    const noSettings = await api('POST', '/api/v4/webhooks', { destination: HOOK });
    expect(((await noSettings.json()) as ProblemBody)['validation-errors']?.[0]?.errors).toEqual([
      { code: 'NotBlank', path: 'settings', detail: anyText },
    ]);
    const notList = await api('POST', '/api/v4/webhooks', {
      destination: HOOK,
      settings: 'add_message',
    });
    expect(((await notList.json()) as ProblemBody)['validation-errors']?.[0]?.errors[0]?.code).toBe(
      'InvalidType',
    );
    const ftp = await api('POST', '/api/v4/webhooks', {
      destination: 'ftp://x.example/',
      settings: ['add_message'],
    });
    expect(ftp.status).toBe(400);
    const list = await api('POST', '/api/v4/webhooks', [
      { destination: HOOK, settings: ['add_message'] },
    ]);
    expect(list.status).toBe(400);

    const noDestination = await api('DELETE', '/api/v4/webhooks', {});
    expect(noDestination.status).toBe(400);
    const badDestination = await api('DELETE', '/api/v4/webhooks', { destination: 'nope' });
    expect(
      ((await badDestination.json()) as ProblemBody)['validation-errors']?.[0]?.errors[0]?.path,
    ).toBe('destination');

    expect((await api('GET', '/api/v4/webhooks')).status).toBe(204);
  });

  it('refuses callers without a valid token (401) and users who are not admins (403)', async () => {
    const anonymous = await h.call('POST', `${acme.prefix}/api/v4/webhooks`, {
      body: { destination: HOOK, settings: ['add_message'] },
    });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as ProblemBody).detail).toBe('Invalid user name or password');

    const beta = await accountWithToken(h, { subdomain: 'beta' });
    const foreign = await h.call('GET', `${acme.prefix}/api/v4/webhooks`, { token: beta.token });
    expect(foreign.status).toBe(401);

    const account = await h.control<{ users: { id: number; is_admin: boolean }[] }>(
      'GET',
      `/accounts/${acme.accountId}`,
    );
    const sales = account.body.users.find((u) => !u.is_admin);
    const tokens = await h.control<{ access_token: string }>(
      'POST',
      `/accounts/${acme.accountId}/tokens`,
      {
        user_id: sales?.id,
      },
    );
    const salesAccount = { ...acme, token: tokens.body.access_token };
    for (const [method, body] of [
      ['POST', { destination: HOOK, settings: ['add_message'] }],
      ['GET', undefined],
      ['DELETE', { destination: HOOK }],
    ] as const) {
      const refused = await api(method, '/api/v4/webhooks', body, salesAccount);
      expect(refused.status, method).toBe(403);
    }
    expect((await api('GET', '/api/v4/webhooks')).status).toBe(204);
  });

  it('keeps each account its own webhooks and caps them per account', async () => {
    const beta = await accountWithToken(h, { subdomain: 'beta' });
    await api('POST', '/api/v4/webhooks', { destination: HOOK, settings: ['add_message'] });
    expect((await api('GET', '/api/v4/webhooks', undefined, beta)).status).toBe(204);
    expect((await api('DELETE', '/api/v4/webhooks', { destination: HOOK }, beta)).status).toBe(404);

    await h.control('PATCH', '/settings', { webhooks: { maxPerAccount: 2 } });
    expect(
      (await api('POST', '/api/v4/webhooks', { destination: `${HOOK}/2`, settings: ['add_lead'] }))
        .status,
    ).toBe(201);
    const third = await api('POST', '/api/v4/webhooks', {
      destination: `${HOOK}/3`,
      settings: ['add_lead'],
    });
    expect(third.status).toBe(400);
    expect(((await third.json()) as ProblemBody).detail).toBe('Limit 2 webhooks per account');
    // Updating one of the two is not a new webhook.
    expect(
      (await api('POST', '/api/v4/webhooks', { destination: HOOK, settings: ['add_talk'] })).status,
    ).toBe(201);
    expect(
      (
        await api(
          'POST',
          '/api/v4/webhooks',
          { destination: `${HOOK}/b`, settings: ['add_lead'] },
          beta,
        )
      ).status,
    ).toBe(201);

    const listed = await h.control<{ webhooks: WebhookView[] }>('GET', '/accounts/acme/webhooks');
    expect(listed.body.webhooks.map((w) => w.destination)).toEqual([HOOK, `${HOOK}/2`]);
  });

  it('counts webhook calls against the same rate limit as every other API call', async () => {
    await h.control('PATCH', '/settings', {
      rateLimit: { enabled: true, perWindow: 3, windowMs: 60_000 },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await api('GET', '/api/v4/account')).status);
    const limited = await api('GET', '/api/v4/webhooks');
    expect(statuses).toEqual([200, 200, 200]);
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as ProblemBody).retry_after).toBeGreaterThan(0);
  });

  it('checks the webhook switches of PATCH /_sandbox/settings', async () => {
    for (const webhooks of [
      { botMessages: 'robot' },
      { outgoingMessages: 'add_talk' },
      { retryDelaysMs: 'soon' },
      { timeoutMs: 0 },
    ]) {
      expect(
        (await h.control('PATCH', '/settings', { webhooks })).status,
        JSON.stringify(webhooks),
      ).toBe(400);
    }
    const patched = await h.control<{ webhooks: Record<string, unknown> }>('PATCH', '/settings', {
      webhooks: { botMessages: 'owner' },
    });
    expect(patched.body.webhooks).toMatchObject({
      botMessages: 'owner',
      outgoingMessages: 'add_outgoing_message',
      timeoutMs: 2_000,
      retryDelaysMs: [300_000, 900_000, 900_000, 3_600_000],
      disableAfterFailures: 100,
    });
  });
});
