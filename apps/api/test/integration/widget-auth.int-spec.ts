import { randomBytes } from 'node:crypto';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { getRepositoryToken } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/bootstrap/create-http-app';
import {
  Installation,
  type InstallationStatus,
} from '../../src/domain/installations/installation.entity';
import { type SandboxAccount, SandboxProcess } from '../support/sandbox';
import { testEnv } from '../support/test-env';

const INTEGRATION = {
  client_id: 'widget-auth-test-client',
  client_secret: randomBytes(24).toString('hex'),
  redirect_uri: 'https://bridge.example.test/kommo/oauth/callback',
};

type Variant = Parameters<SandboxProcess['widgetToken']>[1];
type CallOptions = {
  token?: string;
  origin?: string;
  method?: string;
  headers?: Record<string, string>;
};

/** The account_id a token carries (read, not verified: the test checks what the sandbox minted). */
function accountIdIn(token: string): unknown {
  const payload = token.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>)
    .account_id;
}

describe('widget API authentication (X-Auth-Token)', () => {
  let sandbox: SandboxProcess;
  let app: NestFastifyApplication;
  let installations: Repository<Installation>;
  let base: string;
  const created: string[] = [];
  // `stranger` is created first on purpose: the sandbox's other_account variant puts the first
  // other account's id in the token, so acme's and globex's point at stranger, stranger's at acme.
  let stranger: SandboxAccount;
  let acme: SandboxAccount;
  let globex: SandboxAccount;
  let shut: SandboxAccount;

  const install = async (account: SandboxAccount, status: InstallationStatus) => {
    const row = await installations.save(
      installations.create({
        kommoAccountId: account.id,
        subdomain: account.subdomain,
        host: account.host,
        status,
      }),
    );
    created.push(row.id);
    return row;
  };

  const call = (path: string, options: CallOptions = {}) =>
    fetch(`${base}${path}`, {
      method: options.method ?? 'GET',
      headers: {
        ...(options.token === undefined ? {} : { 'x-auth-token': options.token }),
        ...(options.origin === undefined ? {} : { origin: options.origin }),
        ...options.headers,
      },
    });

  const tokenOf = async (account: SandboxAccount, variant: Variant = 'valid') =>
    (await sandbox.widgetToken(account.id, variant)).token;

  beforeAll(async () => {
    sandbox = await SandboxProcess.start();
    await sandbox.setIntegration(INTEGRATION);
    stranger = await sandbox.createAccount({ subdomain: 'stranger' });
    acme = await sandbox.createAccount({ subdomain: 'acme' });
    globex = await sandbox.createAccount({ subdomain: 'globex', current_user_is_admin: false });
    shut = await sandbox.createAccount({ subdomain: 'shut' });

    app = await createHttpApp(
      testEnv({
        KOMMO_CLIENT_ID: INTEGRATION.client_id,
        KOMMO_CLIENT_SECRET: INTEGRATION.client_secret,
        KOMMO_REDIRECT_URI: INTEGRATION.redirect_uri,
        KOMMO_API_URL_TEMPLATE: sandbox.apiUrlTemplate,
        WIDGET_EXTRA_ORIGINS: sandbox.url,
      }),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = await app.getUrl();
    installations = app.get<Repository<Installation>>(getRepositoryToken(Installation));
    await install(acme, 'active');
    await install(globex, 'pending');
    await install(shut, 'disabled');
  });

  afterAll(async () => {
    if (installations && created.length > 0) await installations.delete(created);
    await app?.close();
    await sandbox?.stop();
  });

  describe('GET /widget-api/session', () => {
    it("answers a valid token with that token's account and user", async () => {
      const response = await call('/widget-api/session', { token: await tokenOf(acme) });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        accountId: acme.id,
        subdomain: 'acme',
        host: 'acme.kommo.com',
        userId: acme.current_user_id,
        isAdmin: true,
        installationStatus: 'active',
        tokenUserIsAdmin: null,
        connectionNotice: null,
      });
    });

    it('keeps accounts apart, reports a non-admin user and a pending installation', async () => {
      const response = await call('/widget-api/session', { token: await tokenOf(globex) });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        accountId: globex.id,
        subdomain: 'globex',
        host: 'globex.kommo.com',
        userId: globex.current_user_id,
        isAdmin: false,
        installationStatus: 'pending',
        tokenUserIsAdmin: null,
        connectionNotice: null,
      });
    });

    it('ignores an account named in the URL', async () => {
      const response = await call(
        `/widget-api/session?account_id=${globex.id}&accountId=${globex.id}`,
        { token: await tokenOf(acme) },
      );
      expect(((await response.json()) as { accountId: number }).accountId).toBe(acme.id);
    });
  });

  describe('refusals: 401 with one generic body', () => {
    const expectGeneric401 = async (response: Response) => {
      expect(response.status).toBe(401);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toEqual({
        statusCode: 401,
        error: 'UNAUTHORIZED',
        message: 'invalid X-Auth-Token',
        requestId: expect.any(String) as unknown,
      });
    };

    it.each<Variant>(['bad_signature', 'alg_none', 'expired', 'not_yet_valid', 'wrong_aud'])(
      'refuses the %s token',
      async (variant) => {
        await expectGeneric401(
          await call('/widget-api/session', { token: await tokenOf(acme, variant) }),
        );
      },
    );

    it('refuses a token for another account id that has no installation', async () => {
      const token = await tokenOf(acme, 'other_account');
      expect(accountIdIn(token)).toBe(stranger.id);
      await expectGeneric401(await call('/widget-api/session', { token }));
    });

    it('refuses a token for another installed account (iss and subdomain disagree)', async () => {
      const row = await install(stranger, 'active');
      try {
        const token = await tokenOf(stranger, 'other_account');
        expect(accountIdIn(token)).toBe(acme.id);
        await expectGeneric401(await call('/widget-api/session', { token }));
        // The same account, asked honestly, is let in: the refusal was the mismatch.
        const own = await call('/widget-api/session', { token: await tokenOf(stranger) });
        expect(own.status).toBe(200);
      } finally {
        await installations.delete(row.id);
      }
    });

    it('refuses a valid token of an account that never installed us', async () => {
      await expectGeneric401(await call('/widget-api/session', { token: await tokenOf(stranger) }));
    });

    it('refuses a call without the header, with an empty one or with garbage', async () => {
      await expectGeneric401(await call('/widget-api/session'));
      await expectGeneric401(await call('/widget-api/session', { token: '' }));
      await expectGeneric401(await call('/widget-api/session', { token: 'garbage' }));
      await expectGeneric401(await call('/widget-api/session', { token: 'a.b.c' }));
      const valid = await tokenOf(acme);
      await expectGeneric401(await call('/widget-api/session', { token: `Bearer ${valid}` }));
    });
  });

  it('answers 403 with a clear message when the installation is disabled', async () => {
    const response = await call('/widget-api/session', { token: await tokenOf(shut) });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toMatch(/disabled/);
  });

  it('answers 503 "not configured" when the client secret is not set', async () => {
    const bare = await createHttpApp(testEnv({ KOMMO_CLIENT_ID: INTEGRATION.client_id }));
    try {
      await bare.init();
      await bare.getHttpAdapter().getInstance().ready();
      const response = await bare.inject({
        method: 'GET',
        url: '/widget-api/session',
        headers: { 'x-auth-token': await tokenOf(acme) },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json<{ message: string }>().message).toMatch(
        /Kommo integration is not configured/,
      );
    } finally {
      await bare.close();
    }
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      call('/widget-api/session', {
        method: 'OPTIONS',
        origin,
        headers: {
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'x-auth-token',
        },
      });

    it('allows the preflight of an account page with the token header', async () => {
      const response = await preflight('https://acme.kommo.com');
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://acme.kommo.com');
      expect(response.headers.get('access-control-allow-headers')).toBe(
        'X-Auth-Token, Content-Type',
      );
      expect(response.headers.get('access-control-allow-methods')).toBe(
        'GET, POST, PUT, PATCH, DELETE',
      );
      expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
    });

    it('allows the configured extra origin (the sandbox widget host)', async () => {
      const response = await preflight(sandbox.url);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(sandbox.url);
    });

    it.each([
      'https://evil.example',
      'https://acme.kommo.com.evil.example',
      'http://acme.kommo.com',
    ])('refuses %s', async (origin) => {
      const response = await preflight(origin);
      expect(response.status).not.toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-headers')).toBeNull();
      const actual = await call('/widget-api/session', { origin, token: await tokenOf(acme) });
      expect(actual.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('lets the page read both answers and refusals (else the browser reports status 0)', async () => {
      const origin = 'https://acme.kommo.com';
      const ok = await call('/widget-api/session', { origin, token: await tokenOf(acme) });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
      const refused = await call('/widget-api/session', { origin, token: 'garbage' });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('access-control-allow-origin')).toBe(origin);
    });
  });
});
