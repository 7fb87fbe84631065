import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSandbox } from '../../src/server.js';

const SECRET = 'sandbox-widget-token-secret-0123456789';
const key = new TextEncoder().encode(SECRET);
const AUDIENCE = 'https://bridge.example.test';

type Minted = { token: string; claims: Record<string, unknown>; header: Record<string, unknown> };

describe('X-Auth-Token minting', () => {
  const { app, context } = buildSandbox({
    integration: {
      client_id: 'b0f0c1d2-0000-4000-8000-000000000001',
      client_secret: SECRET,
      redirect_uri: 'https://bridge.example.test:443/kommo/oauth/callback?x=1',
    },
  });
  const acme = context.kommo.createAccount({
    subdomain: 'acme',
    users: [{ name: 'Ana', is_admin: true }, { name: 'Bruno' }],
  });
  const russian = context.kommo.createAccount({ subdomain: 'rusco', domain: 'amocrm.ru' });
  const bruno = acme.users[1]!;
  let base = '';

  beforeAll(async () => {
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  const mint = async (body: Record<string, unknown>): Promise<Minted> => {
    const response = await fetch(`${base}/_sandbox/widget-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Minted;
  };
  const verify = (token: string) =>
    jwtVerify(token, key, {
      algorithms: ['HS256'],
      audience: AUDIENCE,
      currentDate: new Date(context.clock.now()),
    });

  it('signs HS256 with the client secret and carries the documented claims', async () => {
    const { token } = await mint({ account_id: acme.id });
    const { payload, protectedHeader } = await verify(token);
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({
      iss: 'https://acme.kommo.com',
      aud: AUDIENCE,
      account_id: acme.id,
      user_id: acme.current_user_id,
      subdomain: 'acme',
      client_uuid: 'b0f0c1d2-0000-4000-8000-000000000001',
      is_admin: true,
    });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.exp! - payload.iat!).toBe(1800);
    expect(Math.abs(payload.iat! - Math.floor(context.clock.now() / 1000))).toBeLessThanOrEqual(1);
  });

  it('mints for the requested user, by subdomain, and for amoCRM accounts', async () => {
    expect(decodeJwt((await mint({ subdomain: 'acme', user_id: bruno.id })).token)).toMatchObject({
      user_id: bruno.id,
      is_admin: false,
    });
    const ru = decodeJwt((await mint({ account_id: russian.id })).token);
    expect(ru).toMatchObject({ iss: 'https://rusco.amocrm.ru', subdomain: 'rusco' });
    expect(decodeJwt((await mint({ account_id: acme.id })).token).jti).not.toBe(
      decodeJwt((await mint({ account_id: acme.id })).token).jti,
    );
  });

  it('uses the sandbox clock: a token expires 30 virtual minutes later', async () => {
    const { token } = await mint({ account_id: acme.id });
    await verify(token);
    context.clock.advance(30 * 60 * 1000 + 1000);
    await expect(verify(token)).rejects.toBeInstanceOf(errors.JWTExpired);
  });

  it.each([
    ['bad_signature', errors.JWSSignatureVerificationFailed],
    ['alg_none', errors.JOSEAlgNotAllowed],
    ['expired', errors.JWTExpired],
    ['not_yet_valid', errors.JWTClaimValidationFailed],
    ['wrong_aud', errors.JWTClaimValidationFailed],
  ])('variant %s fails verification', async (variant, errorClass) => {
    const minted = await mint({ account_id: acme.id, variant });
    await expect(verify(minted.token)).rejects.toBeInstanceOf(errorClass);
    if (variant === 'alg_none') expect(decodeProtectedHeader(minted.token).alg).toBe('none');
  });

  it('variant other_account is validly signed but names another account', async () => {
    const { token } = await mint({ account_id: acme.id, variant: 'other_account' });
    const { payload } = await verify(token);
    expect(payload.account_id).toBe(russian.id);
    expect(payload.subdomain).toBe('acme');
  });

  it('applies claim overrides, and null removes a claim', async () => {
    const { token } = await mint({
      account_id: acme.id,
      overrides: { is_admin: false, user_id: null },
    });
    const { payload } = await verify(token);
    expect(payload.is_admin).toBe(false);
    expect(payload).not.toHaveProperty('user_id');
  });

  it('rejects unknown variants, accounts and users', async () => {
    const post = (body: unknown) =>
      fetch(`${base}/_sandbox/widget-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ account_id: acme.id, variant: 'weird' })).status).toBe(400);
    expect((await post({})).status).toBe(400);
    expect((await post({ account_id: 42 })).status).toBe(404);
    expect((await post({ account_id: acme.id, user_id: russian.current_user_id })).status).toBe(
      404,
    );
  });

  it('verifies tokens through the control API and the echo endpoint', async () => {
    const good = await mint({ account_id: acme.id });
    const bad = await mint({ account_id: acme.id, variant: 'wrong_aud' });
    const check = async (token: string) =>
      (await (
        await fetch(`${base}/_sandbox/widget-token/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token }),
        })
      ).json()) as { valid: boolean; code?: string };
    expect(await check(good.token)).toMatchObject({ valid: true });
    expect(await check(bad.token)).toMatchObject({
      valid: false,
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });

    const echo = await fetch(`${base}/_sandbox/widget-host/echo?x=1`, {
      method: 'POST',
      headers: { 'x-auth-token': good.token, 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(await echo.json()).toMatchObject({
      method: 'POST',
      body: { hello: 'world' },
      token: { valid: true, claims: { account_id: acme.id } },
    });
    const seen = (await (await fetch(`${base}/_sandbox/widget-host/echoes`)).json()) as {
      requests: { headers: Record<string, unknown> }[];
    };
    expect(seen.requests.at(-1)?.headers['x-auth-token']).toBe(good.token);
  });

  it('types claims as field tokens do: no is_admin, 1/0, "1"/"0", string ids, fractional times', async () => {
    const claimsOf = async (shape: Record<string, unknown>, userId?: number) =>
      decodeJwt((await mint({ account_id: acme.id, user_id: userId, shape })).token);
    expect(await claimsOf({ is_admin: 'absent' })).not.toHaveProperty('is_admin');
    expect((await claimsOf({ is_admin: 'number' })).is_admin).toBe(1);
    expect((await claimsOf({ is_admin: 'number' }, bruno.id)).is_admin).toBe(0);
    expect((await claimsOf({ is_admin: 'string' }, bruno.id)).is_admin).toBe('0');
    const loose = await claimsOf({ ids: 'string', fractional_times: true });
    expect(loose).toMatchObject({
      account_id: String(acme.id),
      user_id: String(acme.current_user_id),
    });
    expect((loose.exp ?? 0) % 1).toBe(0.5);
    const refused = await fetch(`${base}/_sandbox/widget-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account_id: acme.id, shape: { is_admin: 'maybe' } }),
    });
    expect(refused.status).toBe(400);
  });

  it('a default shape set through the control API applies to every token until reset', async () => {
    const put = (body: unknown) =>
      fetch(`${base}/_sandbox/widget-host/token-shape`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put({ is_admin: 'absent', ids: 'string' })).status).toBe(200);
    const claims = decodeJwt((await mint({ account_id: acme.id })).token);
    expect(claims).not.toHaveProperty('is_admin');
    expect(claims.account_id).toBe(String(acme.id));
    // A request's own shape still wins, field by field.
    expect(
      decodeJwt((await mint({ account_id: acme.id, shape: { is_admin: 'bool' } })).token),
    ).toMatchObject({ is_admin: true, account_id: String(acme.id) });
    expect((await put({ is_admin: 'sometimes' })).status).toBe(400);
    expect((await put({ is_admin: 'bool', ids: 'number' })).status).toBe(200);
    expect(decodeJwt((await mint({ account_id: acme.id })).token).is_admin).toBe(true);
  });
});
