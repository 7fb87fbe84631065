import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { audienceOf, verifyWidgetToken, type WidgetTokenOptions } from './verify-widget-token';

const SECRET = 'client-secret-for-tests';
const NOW_MS = 1_770_000_000_000;
const NOW = NOW_MS / 1000;
const OPTIONS: WidgetTokenOptions = {
  secret: SECRET,
  audience: 'https://bridge.example.com',
  clientId: 'client-uuid-1',
  nowMs: NOW_MS,
};

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const hs256 = (input: string, secret = SECRET): string =>
  createHmac('sha256', secret).update(input).digest('base64url');

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    iss: 'https://acme.kommo.com',
    aud: 'https://bridge.example.com',
    jti: 'a1b2c3',
    iat: NOW,
    nbf: NOW,
    exp: NOW + 1800,
    account_id: 31_000_001,
    user_id: 9_001,
    subdomain: 'acme',
    client_uuid: 'client-uuid-1',
    is_admin: true,
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}

function token(
  payload: Record<string, unknown> = claims(),
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
  secret = SECRET,
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${hs256(input, secret)}`;
}

const reasonOf = (t: string, options = OPTIONS) => {
  const result = verifyWidgetToken(t, options);
  return result.ok ? 'ok' : result.reason;
};

describe('verifyWidgetToken', () => {
  it('accepts a good token and returns its typed claims', () => {
    expect(verifyWidgetToken(token(), OPTIONS)).toEqual({
      ok: true,
      claims: {
        iss: 'https://acme.kommo.com',
        accountId: 31_000_001,
        userId: 9_001,
        subdomain: 'acme',
        isAdmin: true,
        jti: 'a1b2c3',
        iat: NOW,
        exp: NOW + 1800,
      },
    });
  });

  it('rejects anything that is not three base64url parts', () => {
    const good = token();
    expect(reasonOf('')).toBe('malformed');
    expect(reasonOf('garbage')).toBe('malformed');
    expect(reasonOf(good.split('.').slice(0, 2).join('.'))).toBe('malformed');
    expect(reasonOf(`${good}.extra`)).toBe('malformed');
    expect(reasonOf(`${good.split('.')[0]}.pay load.${good.split('.')[2]}`)).toBe('malformed');
    expect(reasonOf('a.b.c')).toBe('bad_header');
  });

  it.each([
    ['none', { alg: 'none', typ: 'JWT' }],
    ['HS512', { alg: 'HS512', typ: 'JWT' }],
    ['RS256', { alg: 'RS256' }],
    ['hs256 (wrong case)', { alg: 'hs256' }],
    ['missing alg', { typ: 'JWT' }],
  ])('rejects alg %s even when the HMAC itself is right', (_name, header) => {
    expect(reasonOf(token(claims(), header))).toBe('alg_not_allowed');
  });

  it('rejects an unsigned token (alg none, empty signature)', () => {
    const unsigned = `${b64({ alg: 'none' })}.${b64(claims())}.`;
    expect(reasonOf(unsigned)).toBe('alg_not_allowed');
  });

  it('rejects an HS256 header with an empty signature', () => {
    const [header, payload] = token().split('.');
    expect(reasonOf(`${header}.${payload}.`)).toBe('bad_signature');
  });

  it('rejects a critical header extension it does not understand', () => {
    expect(reasonOf(token(claims(), { alg: 'HS256', crit: ['exp'] }))).toBe('bad_header');
  });

  it('rejects a token signed with another secret', () => {
    expect(reasonOf(token(claims(), undefined, 'another-secret'))).toBe('bad_signature');
  });

  it('rejects a signature of another length without throwing', () => {
    const [header, payload, signature = ''] = token().split('.');
    const short = Buffer.from(signature, 'base64url').subarray(0, 31).toString('base64url');
    const long = Buffer.concat([Buffer.from(signature, 'base64url'), Buffer.from([0])]);
    expect(reasonOf(`${header}.${payload}.${short}`)).toBe('bad_signature');
    expect(reasonOf(`${header}.${payload}.${long.toString('base64url')}`)).toBe('bad_signature');
  });

  it('rejects a payload changed after signing', () => {
    const [header, , signature] = token().split('.');
    const forged = b64(claims({ account_id: 31_000_002 }));
    expect(reasonOf(`${header}.${forged}.${signature}`)).toBe('bad_signature');
  });

  it('rejects a non-canonical encoding of the right signature', () => {
    const [header, payload, signature = ''] = token().split('.');
    // The last of 43 characters carries 2 unused bits; flipping them decodes to the same bytes.
    const last = signature.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';
    const tampered = `${signature.slice(0, -1)}${twin}`;
    expect(Buffer.from(tampered, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(reasonOf(`${header}.${payload}.${tampered}`)).toBe('bad_signature');
  });

  it('checks exp, nbf and iat with 30 s of clock skew', () => {
    expect(reasonOf(token(claims({ exp: NOW - 29 })))).toBe('ok');
    expect(reasonOf(token(claims({ exp: NOW - 31 })))).toBe('expired');
    expect(reasonOf(token(claims({ nbf: NOW + 29 })))).toBe('ok');
    expect(reasonOf(token(claims({ nbf: NOW + 31 })))).toBe('not_yet_valid');
    expect(reasonOf(token(claims({ iat: NOW + 29, nbf: undefined })))).toBe('ok');
    expect(reasonOf(token(claims({ iat: NOW + 31, nbf: undefined })))).toBe('issued_in_future');
  });

  it('uses the real clock when no time is given', () => {
    const now = Math.floor(Date.now() / 1000);
    const fresh = token(claims({ iat: now, nbf: now, exp: now + 1800 }));
    expect(verifyWidgetToken(fresh, { ...OPTIONS, nowMs: undefined }).ok).toBe(true);
    const old = token(claims({ iat: 1_000_000_000, nbf: 1_000_000_000, exp: 1_000_001_800 }));
    expect(verifyWidgetToken(old, { ...OPTIONS, nowMs: undefined })).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('requires exp and iat as numbers', () => {
    expect(reasonOf(token(claims({ exp: undefined })))).toBe('bad_payload');
    expect(reasonOf(token(claims({ iat: undefined })))).toBe('bad_payload');
    expect(reasonOf(token(claims({ exp: String(NOW + 1800) })))).toBe('bad_payload');
    expect(reasonOf(token(claims({ nbf: 'soon' })))).toBe('bad_payload');
  });

  it('requires our audience, as a string or inside an array', () => {
    expect(reasonOf(token(claims({ aud: ['https://other.example', OPTIONS.audience] })))).toBe(
      'ok',
    );
    expect(reasonOf(token(claims({ aud: 'https://wrong-audience.example' })))).toBe(
      'wrong_audience',
    );
    expect(reasonOf(token(claims({ aud: `${OPTIONS.audience}/` })))).toBe('wrong_audience');
    expect(reasonOf(token(claims({ aud: ['https://other.example'] })))).toBe('wrong_audience');
    expect(reasonOf(token(claims({ aud: undefined })))).toBe('wrong_audience');
  });

  it('requires client_uuid to be ours when present', () => {
    expect(reasonOf(token(claims({ client_uuid: 'someone-else' })))).toBe('wrong_client');
    expect(reasonOf(token(claims({ client_uuid: undefined })))).toBe('ok');
  });

  it.each([0, -5, 1.5, '0', '-5', '1.5', '0031', ' 31000001', '3e7', '', null, undefined, true])(
    'rejects account_id %j',
    (accountId) => {
      expect(reasonOf(token(claims({ account_id: accountId })))).toBe('bad_account_id');
    },
  );

  it('reads account_id and user_id given as strings of digits, as the PHP SDK casts them', () => {
    const result = verifyWidgetToken(
      token(claims({ account_id: '31000001', user_id: '9001' })),
      OPTIONS,
    );
    expect(result).toMatchObject({ ok: true, claims: { accountId: 31_000_001, userId: 9_001 } });
  });

  it('requires iss and subdomain as strings and a positive user_id', () => {
    expect(reasonOf(token(claims({ iss: undefined })))).toBe('bad_payload');
    expect(reasonOf(token(claims({ subdomain: 42 })))).toBe('bad_payload');
    expect(reasonOf(token(claims({ user_id: 'user-9001' })))).toBe('bad_user_id');
    expect(reasonOf(token(claims({ user_id: 0 })))).toBe('bad_user_id');
  });

  it('accepts fractional exp, iat and nbf', () => {
    const result = verifyWidgetToken(
      token(claims({ iat: NOW + 0.25, nbf: NOW + 0.25, exp: NOW + 1800.75 })),
      OPTIONS,
    );
    expect(result).toMatchObject({ ok: true, claims: { iat: NOW + 0.25, exp: NOW + 1800.75 } });
    expect(reasonOf(token(claims({ exp: NOW - 30.5 })))).toBe('expired');
  });

  it('reads is_admin as bool, 1/0 or "1"/"0"/"true"/"false", and null when it does not say', () => {
    const admin = (value: unknown) => {
      const result = verifyWidgetToken(token(claims({ is_admin: value })), OPTIONS);
      return result.ok ? result.claims.isAdmin : 'refused';
    };
    expect([true, 1, '1', 'true', 'TRUE', ' true '].map(admin)).toEqual(Array(6).fill(true));
    expect([false, 0, '0', 'false', 'False', ''].map(admin)).toEqual(Array(6).fill(false));
    // Absent (Kommo's documented claim list) or odd: unknown, to be asked of the users API.
    expect([undefined, null, 2, -1, 'yes', 'admin', [], {}].map(admin)).toEqual(
      Array(8).fill(null),
    );
  });

  it('refuses a payload that is not a JSON object', () => {
    const header = b64({ alg: 'HS256' });
    for (const payload of [b64([1, 2]), b64(null), Buffer.from('{oops').toString('base64url')]) {
      const input = `${header}.${payload}`;
      expect(reasonOf(`${input}.${hs256(input)}`)).toBe('bad_payload');
    }
  });
});

describe('audienceOf', () => {
  it('keeps scheme, host and a non-default port, nothing else', () => {
    expect(audienceOf('https://bridge.example.com/kommo/oauth/callback?x=1')).toBe(
      'https://bridge.example.com',
    );
    expect(audienceOf('http://127.0.0.1:3000/kommo/oauth/callback')).toBe('http://127.0.0.1:3000');
    expect(audienceOf('https://bridge.example.com:443/cb')).toBe('https://bridge.example.com');
  });
});
