import { NON_ADMIN_TOKEN_NOTICE } from '@gpt-bridge/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminAccountsService } from '../../src/http/admin/admin-accounts.service';
import { KommoClientFactory } from '../../src/integrations/kommo/kommo-client';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import { type InstalledAccount, installAccount } from '../support/webhook-stack';

// Who may change settings when the widget token does not say (docs/kommo-contract.md, widget
// token), and what happens when a non-admin authorizes the integration (docs/architecture.md,
// "Who authorized").

type Shape = NonNullable<Parameters<KommoStack['sandbox']['widgetToken']>[2]>['shape'];
type Json = Record<string, unknown>;

let stack: KommoStack;
let shop: InstalledAccount;
let manager: { id: number };

async function widget(
  method: string,
  route: string,
  options: { body?: unknown; userId?: number; shape?: Shape; account?: number } = {},
) {
  const { token } = await stack.sandbox.widgetToken(options.account ?? shop.account.id, 'valid', {
    ...(options.userId === undefined ? {} : { userId: options.userId }),
    ...(options.shape === undefined ? {} : { shape: options.shape }),
  });
  const response = await fetch(`${stack.apiUrl}/widget-api${route}`, {
    method,
    headers: {
      'x-auth-token': token,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  // What the sandbox minted, read back so a test sees the claim forms it meant to send.
  const claims = JSON.parse(
    Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
  ) as Json;
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Json, claims };
}

const saveSettings = (options: { userId?: number; shape?: Shape }) =>
  widget('PUT', '/providers', {
    ...options,
    body: {
      openaiApiKey: 'sk-test-kommo-rights-0001',
      assistant: { provider: 'openai', model: 'gpt-4o-mini', instructions: 'Hi.' },
    },
  });

const usersReads = async (userId: number) =>
  (await stack.sandbox.requests({ method: 'GET', path: `/api/v4/users/${userId}` })).length;

const installation = async (accountId: number) =>
  (
    await stack.db.query<
      {
        id: string;
        status: string;
        access_token_enc: string;
        token_user_id: string | null;
        token_user_is_admin: boolean | null;
      }[]
    >(
      `SELECT id, status, access_token_enc, token_user_id, token_user_is_admin
         FROM installations WHERE kommo_account_id = $1`,
      [accountId],
    )
  )[0];

/** The browser consent flow as `userId`: our state, the sandbox's redirect, our result page. */
async function consentAs(accountId: number, userId: number) {
  // A browser of its own: another file's flood may have spent 127.0.0.1's starts for the
  // minute (oauth-unauthenticated.int-spec.ts), and budgets are per address.
  const start = await fetch(`${stack.apiUrl}/kommo/oauth/start`, {
    redirect: 'manual',
    headers: { 'x-forwarded-for': `203.0.113.${Math.floor(Math.random() * 250) + 1}` },
  });
  const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
  const granted = await stack.sandbox.consent(accountId, state, userId);
  const page = await fetch(granted.redirect);
  return { status: page.status, html: await page.text() };
}

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  shop = await installAccount(stack);
  manager = await stack.sandbox.addUser(shop.account.id, { name: 'Manager' });
});

afterAll(async () => {
  await stack?.stop();
});

describe('admin rights of the widget token', () => {
  it('an admin whose token has no is_admin saves settings; Kommo users API is asked once a minute', async () => {
    await stack.sandbox.clearRequests();
    const admin = shop.account.current_user_id;
    const saved = await saveSettings({ shape: { is_admin: 'absent' } });
    expect(saved.claims).not.toHaveProperty('is_admin');
    expect(saved.status).toBe(200);
    const session = await widget('GET', '/session', { shape: { is_admin: 'absent' } });
    expect(session.json).toMatchObject({ isAdmin: true, userId: admin });
    expect((await widget('GET', '/webhooks', { shape: { is_admin: 'absent' } })).status).toBe(200);
    // Three calls, one read of the user's rights (cached in Redis).
    expect(await usersReads(admin)).toBe(1);
  });

  it.each<[string, Shape, Json]>([
    ['is_admin: 1', { is_admin: 'number' }, { is_admin: 1 }],
    [
      'is_admin: "1" and string ids',
      { is_admin: 'string', ids: 'string' },
      { is_admin: '1', account_id: expect.any(String) as unknown },
    ],
    ['fractional times', { fractional_times: true }, { is_admin: true }],
  ])('an admin with %s saves settings', async (_name, shape, claims) => {
    const saved = await saveSettings({ shape });
    expect(saved.claims).toMatchObject(claims);
    expect(saved.status).toBe(200);
  });

  it.each<[string, Shape]>([
    ['no is_admin', { is_admin: 'absent' }],
    ['is_admin: 0', { is_admin: 'number' }],
    ['is_admin: "0" and string ids', { is_admin: 'string', ids: 'string' }],
  ])('a non-admin with %s cannot change settings (403)', async (_name, shape) => {
    const refused = await saveSettings({ userId: manager.id, shape });
    expect(refused.status).toBe(403);
    const session = await widget('GET', '/session', { userId: manager.id, shape });
    expect(session.json).toMatchObject({ isAdmin: false, userId: manager.id });
  });
});

describe('a non-admin authorizes the integration', () => {
  it('keeps the working admin token; the page says so and admin-only calls still work', async () => {
    const before = (await installation(shop.account.id))!;
    expect(before).toMatchObject({
      token_user_id: String(shop.account.current_user_id),
      token_user_is_admin: true,
    });

    const page = await consentAs(shop.account.id, manager.id);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Already connected');
    expect(page.html).toContain('yours was not used');

    // The widget-install call (server side, no page) by the non-admin changes nothing either.
    await stack.sandbox.clearRequests();
    await stack.sandbox.install(shop.account.id, manager.id);
    await waitFor(
      async () => (await stack.sandbox.requests({ kind: 'oauth.authorization_code' })).length,
      (n) => n === 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));

    const after = (await installation(shop.account.id))!;
    expect(after.access_token_enc).toBe(before.access_token_enc);
    expect(after).toMatchObject({ status: 'active', token_user_is_admin: true });

    // Creating fields is admin-only in Kommo, like continues: it still works with our token.
    const client = stack.api.get(KommoClientFactory).forInstallation({
      installationId: after.id,
      host: shop.account.host,
      subdomain: shop.account.subdomain,
    });
    const created = await client.createLeadCustomFields([{ name: 'Probe', type: 'text' }]);
    expect(created).toHaveLength(1);
    const session = await widget('GET', '/session');
    expect(session.json).toMatchObject({ tokenUserIsAdmin: true, connectionNotice: null });
  });

  it('when the only token is a non-admin’s, the page, the widget and the admin panel say what to do', async () => {
    const other = await stack.sandbox.createAccount({
      subdomain: `staff${Date.now()}`,
      current_user_is_admin: false,
    });
    const page = await consentAs(other.id, other.current_user_id);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Connected with limited rights');
    expect(page.html).toContain('Ask an administrator');
    const row = (await installation(other.id))!;
    expect(row).toMatchObject({ status: 'active', token_user_is_admin: false });

    const session = await widget('GET', '/session', { account: other.id });
    expect(session.status).toBe(200);
    expect(session.json).toMatchObject({
      isAdmin: false,
      tokenUserIsAdmin: false,
      connectionNotice: NON_ADMIN_TOKEN_NOTICE,
    });
    const detail = await stack.api.get(AdminAccountsService).detail(row.id);
    expect(detail.tokenHealth).toMatchObject({
      userIsAdmin: false,
      notice: NON_ADMIN_TOKEN_NOTICE,
    });

    // An admin authorizing afterwards replaces the non-admin's token.
    const admin = await stack.sandbox.addUser(other.id, { name: 'Owner', is_admin: true });
    const fixed = await consentAs(other.id, admin.id);
    expect(fixed.html).toContain('Installed');
    expect(await installation(other.id)).toMatchObject({
      token_user_id: String(admin.id),
      token_user_is_admin: true,
    });
  });
});
