import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../src/common/clock/clock';
import { AdminClient, createAdminUser, routesUnder } from '../support/admin-client';
import { type KommoStack, startKommoStack } from '../support/kommo-stack';
import { testEnvVars } from '../support/test-env';
import { type InstalledAccount, installAccount } from '../support/webhook-stack';

const CREATE_USER_CLI = path.resolve(__dirname, '../../dist/cli/create-admin-user.js');

const ADMIN = { email: 'root@gptbridge.test', password: 'admin password 0001' };
const SUPPORT = { email: 'Helper@GPTBridge.test', password: 'support password 0001' };

let stack: KommoStack;
let shop: InstalledAccount;

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  shop = await installAccount(stack);
  await createAdminUser(stack, ADMIN.email, 'admin', ADMIN.password);
  await createAdminUser(stack, SUPPORT.email, 'support', SUPPORT.password);
});

afterEach(() => stack.api.get(Clock).travelTo(null));

afterAll(async () => {
  await stack?.stop();
});

const anonymous = () => new AdminClient(stack);

describe('admin sign-in', () => {
  it('sets an httpOnly, SameSite=Strict cookie on /admin and returns the user and a CSRF token', async () => {
    const response = await anonymous().post('/admin/api/login', {
      email: ' ROOT@gptbridge.test ',
      password: ADMIN.password,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      user: { email: ADMIN.email, role: 'admin' },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
    });
    expect(JSON.stringify(response.body)).not.toMatch(/scrypt|password/i);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(
      /^gptb_admin=[A-Za-z0-9_-]{43}; Path=\/admin; Max-Age=\d+; HttpOnly; SameSite=Strict$/,
    );
    // PUBLIC_URL is http:// in tests, so no Secure flag (a browser would drop the cookie).
    expect(cookie).not.toMatch(/Secure/);
  });

  it('me answers the user and the same CSRF token; logout ends the session', async () => {
    const client = await AdminClient.login(stack, SUPPORT.email, SUPPORT.password);
    const me = await client.get('/admin/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user: { email: 'helper@gptbridge.test', role: 'support' },
      csrfToken: client.csrfToken,
    });
    expect((await client.post('/admin/api/logout')).status).toBe(200);
    expect((await client.get('/admin/api/me')).status).toBe(401);
  });

  it('answers an unknown email exactly like a wrong password', async () => {
    const unknown = await anonymous().post('/admin/api/login', {
      email: 'nobody@gptbridge.test',
      password: 'whatever password',
    });
    const wrong = await anonymous().post('/admin/api/login', {
      email: SUPPORT.email,
      password: 'whatever password',
    });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const strip = (body: unknown) => ({ ...(body as object), requestId: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(unknown.headers.get('set-cookie')).toBeNull();
  });

  // Acceptance 3.
  it('after five wrong passwords refuses the email for a while; after the lockout the right one works', async () => {
    const email = 'locked@gptbridge.test';
    const password = 'the right password 01';
    await createAdminUser(stack, email, 'support', password);
    for (let i = 0; i < 5; i++) {
      const wrong = await anonymous().post('/admin/api/login', { email, password: `wrong ${i}` });
      expect(wrong.status).toBe(401);
    }
    // Refused now, even with the right password.
    const refused = await anonymous().post('/admin/api/login', { email, password });
    expect(refused.status).toBe(429);
    expect((refused.body as { message: string }).message).toMatch(
      /Too many failed sign-ins.*15 minutes/,
    );
    // An unknown email is locked out the same way (no hint which emails exist).
    for (let i = 0; i < 5; i++) {
      await anonymous().post('/admin/api/login', { email: 'ghost@gptbridge.test', password: 'x' });
    }
    const ghost = await anonymous().post('/admin/api/login', {
      email: 'ghost@gptbridge.test',
      password: 'x',
    });
    expect(ghost.status).toBe(429);
    expect((ghost.body as { message: string }).message).toBe(
      (refused.body as { message: string }).message,
    );

    stack.api.get(Clock).travelTo(new Date(Date.now() + 14 * 60_000));
    expect((await anonymous().post('/admin/api/login', { email, password })).status).toBe(429);
    stack.api.get(Clock).travelTo(new Date(Date.now() + 16 * 60_000));
    const client = await AdminClient.login(stack, email, password);
    expect((await client.get('/admin/api/me')).status).toBe(200);
  });

  it("pnpm admin:create-user sets a new password and lifts the email's lockout", async () => {
    const email = 'forgetful@gptbridge.test';
    await createAdminUser(stack, email, 'support', 'the old password 0001');
    for (let i = 0; i < 5; i++) {
      await anonymous().post('/admin/api/login', { email, password: `wrong ${i}` });
    }
    const password = 'the new password 0002';
    expect((await anonymous().post('/admin/api/login', { email, password })).status).toBe(429);

    // The built CLI, as an operator runs it (`pnpm test` builds first).
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CREATE_USER_CLI, '--email', email.toUpperCase(), '--role', 'support'],
      { env: { ...process.env, ...testEnvVars(), ADMIN_PASSWORD: password } },
    );
    expect(stdout).toMatch(/^updated support forgetful@gptbridge\.test .*lockout is lifted\n$/);
    const client = await AdminClient.login(stack, email, password);
    expect((await client.get('/admin/api/me')).status).toBe(200);
  });
});

describe('admin API guard', () => {
  // Acceptance 4: the list comes from Fastify, so a route added later is covered too.
  it('answers 401 on every /admin/api route without a session (login and session aside)', async () => {
    const routes = routesUnder(stack, '/admin/api');
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(routes).toContainEqual({ method: 'POST', url: '/admin/api/requests/:id/replay' });
    const ids: Record<string, string> = { id: shop.installationId };
    const checked: string[] = [];
    for (const route of routes) {
      if (route.url === '/admin/api/login') continue;
      if (route.url === '/admin/api/session') {
        // Public by design: it says "nobody" instead of failing, and hands out nothing.
        for (const cookie of [null, 'gptb_admin=forged-token-value']) {
          const response = await new AdminClient(stack, cookie).call('GET', route.url);
          expect([response.status, response.body]).toEqual([200, { user: null }]);
        }
        continue;
      }
      const url = route.url.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? 'x');
      for (const cookie of [null, 'gptb_admin=forged-token-value']) {
        const response = await new AdminClient(stack, cookie).call(
          route.method,
          url,
          route.method === 'GET' ? undefined : {},
        );
        expect(response.status, `${route.method} ${url} (${cookie ?? 'no cookie'})`).toBe(401);
      }
      checked.push(`${route.method} ${route.url}`);
    }
    expect(checked).toEqual(
      expect.arrayContaining(['GET /admin/api/accounts', 'PUT /admin/api/plans/:id']),
    );
  });

  it('refuses a change without the CSRF token (403), or with another session’s', async () => {
    const admin = await AdminClient.login(stack, ADMIN.email, ADMIN.password);
    const other = await AdminClient.login(stack, SUPPORT.email, SUPPORT.password);
    const path = `/admin/api/accounts/${shop.installationId}/plan`;
    const body = { planId: 'pro', monthlyRequestsOverride: null, leadDailyCap: null };
    const none = await admin.call('PUT', path, body, { csrf: false });
    expect(none.status).toBe(403);
    expect((none.body as { message: string }).message).toMatch(/csrf/i);
    const foreign = new AdminClient(stack, admin.cookie, other.csrfToken);
    expect((await foreign.put(path, body)).status).toBe(403);
    // Reads need no token; the same change with it goes through.
    expect((await admin.call('GET', '/admin/api/plans', undefined, { csrf: false })).status).toBe(
      200,
    );
    expect((await admin.put(path, body)).status).toBe(200);
  });

  // Acceptance 2.
  it('a support user cannot change plans, accounts or users (403), but can read and re-provision', async () => {
    const support = await AdminClient.login(stack, SUPPORT.email, SUPPORT.password);
    const id = shop.installationId;
    const before = await stack.db.query<{ plan_id: string }[]>(
      `SELECT plan_id FROM installations WHERE id = $1`,
      [id],
    );
    const forbidden = [
      support.put(`/admin/api/accounts/${id}/plan`, { planId: 'business' }),
      support.put('/admin/api/plans/trial', { monthlyRequests: 5 }),
      support.post(`/admin/api/accounts/${id}/disable`),
      support.post(`/admin/api/accounts/${id}/enable`),
      support.post(`/admin/api/accounts/${id}/refresh-token`),
      support.get('/admin/api/users'),
      support.post('/admin/api/users', {
        email: 'x@gptbridge.test',
        role: 'admin',
        password: 'some long password',
      }),
    ];
    for (const response of await Promise.all(forbidden)) {
      expect(response.status).toBe(403);
      expect((response.body as { message: string }).message).toMatch(/admin role/);
    }
    expect(await stack.db.query(`SELECT plan_id FROM installations WHERE id = $1`, [id])).toEqual(
      before,
    );
    expect(
      (
        await stack.db.query<{ monthly_requests: number }[]>(
          `SELECT monthly_requests FROM plans WHERE id = 'trial'`,
        )
      )[0]!.monthly_requests,
    ).toBe(200);

    expect((await support.get('/admin/api/plans')).status).toBe(200);
    expect((await support.get(`/admin/api/accounts/${id}`)).status).toBe(200);
    expect((await support.post(`/admin/api/accounts/${id}/reprovision`)).status).toBe(202);
  });

  it('an admin manages users; a role change applies to open sessions at once', async () => {
    const admin = await AdminClient.login(stack, ADMIN.email, ADMIN.password);
    const created = await admin.post('/admin/api/users', {
      email: 'new.helper@gptbridge.test',
      role: 'support',
      password: 'new helper password',
    });
    expect(created.status).toBe(201);
    const user = (created.body as { user: { id: string; role: string } }).user;
    expect(created.text).not.toMatch(/scrypt|new helper password/);
    const helper = await AdminClient.login(
      stack,
      'new.helper@gptbridge.test',
      'new helper password',
    );
    expect((await helper.get('/admin/api/users')).status).toBe(403);
    const promoted = await admin.put(`/admin/api/users/${user.id}/role`, { role: 'admin' });
    expect(promoted.status).toBe(200);
    expect((await helper.get('/admin/api/users')).status).toBe(200);
    const audit = await admin.get(`/admin/api/audit?target=${user.id}`);
    expect((audit.body as { entries: { action: string }[] }).entries.map((e) => e.action)).toEqual([
      'user.change_role',
      'user.create',
    ]);
    expect(audit.text).not.toMatch(/scrypt|new helper password/);
    const short = await admin.post('/admin/api/users', {
      email: 'weak@gptbridge.test',
      role: 'support',
      password: 'short',
    });
    expect(short.status).toBe(400);
  });
});
