import { type LookupAddress, type LookupOptions } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { AppConfig } from '../../config/app-config';
import { envSchema } from '../../config/env.schema';
import {
  checkUrl,
  createGuardedFetch,
  createGuardedLookup,
  isAllowListed,
  OutboundBlockedError,
  type OutboundPolicy,
  policyFromConfig,
  requiresDnsCheck,
} from './outbound-guard';

const strict: OutboundPolicy = { allowedHosts: [], allowPrivate: false };
const sandbox: OutboundPolicy = { allowedHosts: ['127.0.0.1:4000'], allowPrivate: false };

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof OutboundBlockedError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('checkUrl', () => {
  it('accepts https to a public host and returns the parsed URL', () => {
    const url = checkUrl('https://api.openai.com/v1', strict);
    expect(url).toBeInstanceOf(URL);
    expect(url.href).toBe('https://api.openai.com/v1');
  });

  it('refuses plain http to a host that is not allow-listed', () => {
    expect(reasonOf(() => checkUrl('http://api.openai.com/v1', strict))).toBe('scheme');
  });

  it('allows http to an allow-listed host:port, and only on that port', () => {
    expect(checkUrl('http://127.0.0.1:4000/openai/v1', sandbox).port).toBe('4000');
    expect(reasonOf(() => checkUrl('http://127.0.0.1:4001/x', sandbox))).toBe('private_address');
  });

  it('lets a bare host entry match any port, default ports included', () => {
    const policy = { allowedHosts: ['dify.internal', 'cdn.example:443'], allowPrivate: false };
    expect(() => checkUrl('http://dify.internal:8080/v1', policy)).not.toThrow();
    expect(() => checkUrl('http://dify.internal/v1', policy)).not.toThrow();
    expect(isAllowListed(new URL('https://cdn.example/a.png'), policy)).toBe(true);
    expect(isAllowListed(new URL('https://cdn.example:8443/a.png'), policy)).toBe(false);
    expect(isAllowListed(new URL('https://DIFY.internal./v1'), policy)).toBe(true);
  });

  it.each([
    'https://127.0.0.1/',
    'http://127.0.0.1/',
    'https://169.254.169.254/latest/meta-data',
    'http://169.254.169.254/latest/meta-data',
    'https://[::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://10.0.0.1/',
    'https://192.168.0.10:8443/',
    'https://0.0.0.0/',
    'https://2130706433/', // 127.0.0.1 as one number
    'https://0x7f.1/', // 127.0.0.1 in hex shorthand
  ])('refuses %s as a private address', (url) => {
    expect(reasonOf(() => checkUrl(url, strict))).toBe('private_address');
  });

  it('refuses credentials in the URL', () => {
    expect(reasonOf(() => checkUrl('https://user:pass@example.com/', strict))).toBe(
      'credentials_in_url',
    );
    expect(reasonOf(() => checkUrl('https://user@example.com/', strict))).toBe(
      'credentials_in_url',
    );
  });

  it.each(['ftp://example.com/a.png', 'file:///etc/passwd', 'javascript:alert(1)', 'data:,x'])(
    'refuses the scheme of %s',
    (url) => expect(reasonOf(() => checkUrl(url, strict))).toBe('scheme'),
  );

  it.each(['not a url', '', '/relative/path', 'https://'])('refuses %j as a bad URL', (url) => {
    expect(reasonOf(() => checkUrl(url, strict))).toBe('bad_url');
  });

  it('with allowPrivate, permits private addresses over https but still requires https', () => {
    const policy = { allowedHosts: [], allowPrivate: true };
    expect(checkUrl('https://10.0.0.1/v1', policy).hostname).toBe('10.0.0.1');
    expect(reasonOf(() => checkUrl('http://10.0.0.1/v1', policy))).toBe('scheme');
  });

  it('names the host but never the path or query in its message', () => {
    try {
      checkUrl('https://169.254.169.254/latest?token=secret', strict);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('169.254.169.254');
      expect((error as Error).message).not.toContain('secret');
    }
  });
});

describe('requiresDnsCheck', () => {
  it('is needed for names, not for IP literals, allow-listed hosts or allowPrivate', () => {
    expect(requiresDnsCheck(new URL('https://example.com/'), strict)).toBe(true);
    // localhost is a name like any other: its DNS answer (loopback) refuses it at connect time.
    expect(requiresDnsCheck(checkUrl('https://localhost:4000/', strict), strict)).toBe(true);
    expect(reasonOf(() => checkUrl('http://localhost:4000/', sandbox))).toBe('scheme');
    expect(requiresDnsCheck(new URL('https://8.8.8.8/'), strict)).toBe(false);
    expect(requiresDnsCheck(new URL('https://[2606:4700::1111]/'), strict)).toBe(false);
    expect(requiresDnsCheck(new URL('http://127.0.0.1:4000/'), sandbox)).toBe(false);
    const listed = { allowedHosts: ['dify.internal'], allowPrivate: false };
    expect(requiresDnsCheck(new URL('https://dify.internal/'), listed)).toBe(false);
    expect(
      requiresDnsCheck(new URL('https://example.com/'), { ...strict, allowPrivate: true }),
    ).toBe(false);
  });
});

describe('createGuardedLookup', () => {
  const fakeDns =
    (answers: Record<string, LookupAddress[]>) =>
    (
      hostname: string,
      _options: LookupOptions & { all: true },
      callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
    ) =>
      callback(null, answers[hostname] ?? []);

  const lookup = createGuardedLookup(
    fakeDns({
      'public.test': [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::248', family: 6 },
      ],
      'rebind.test': [
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
      'metadata.test': [{ address: '169.254.169.254', family: 4 }],
      'mapped.test': [{ address: '::ffff:10.1.2.3', family: 6 }],
    }),
  );

  const run = (host: string, all: boolean) =>
    new Promise<{ error: Error | null; address: unknown; family?: number }>((resolve) =>
      lookup(host, { all }, (error, address, family) => resolve({ error, address, family })),
    );

  it('passes public answers through, as a list or as the first address', async () => {
    const list = await run('public.test', true);
    expect(list.error).toBeNull();
    expect(list.address).toHaveLength(2);
    const single = await run('public.test', false);
    expect(single).toEqual({ error: null, address: '93.184.216.34', family: 4 });
  });

  it.each(['rebind.test', 'metadata.test', 'mapped.test'])(
    'refuses %s because one of its addresses is private',
    async (host) => {
      const { error } = await run(host, true);
      expect(error).toBeInstanceOf(OutboundBlockedError);
      expect((error as OutboundBlockedError).reason).toBe('private_address');
    },
  );

  it('answers ENOTFOUND for an empty answer', async () => {
    const { error } = await run('nothing.test', false);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });
});

describe('createGuardedFetch', () => {
  it('refuses the metadata address before any connection attempt', async () => {
    const fetch = createGuardedFetch(strict);
    try {
      await expect(fetch('http://169.254.169.254/latest/meta-data')).rejects.toMatchObject({
        name: 'OutboundBlockedError',
        reason: 'private_address',
      });
    } finally {
      await fetch.close();
    }
  });
});

describe('policyFromConfig', () => {
  const env = (vars: Record<string, string>) =>
    new AppConfig(
      envSchema.parse({ ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`, ...vars }),
    );

  it('reads the allow-list (lower-cased) and the private flag', () => {
    expect(
      policyFromConfig(
        env({
          OUTBOUND_ALLOWED_HOSTS: '127.0.0.1:4000, Dify.Local',
          OUTBOUND_ALLOW_PRIVATE: 'true',
        }),
      ),
    ).toEqual({ allowedHosts: ['127.0.0.1:4000', 'dify.local'], allowPrivate: true });
  });

  it('defaults to nothing allowed', () => {
    expect(policyFromConfig(env({}))).toEqual({ allowedHosts: [], allowPrivate: false });
  });
});
