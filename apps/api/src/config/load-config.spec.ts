import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from './load-config';

const KEY = `k1:${Buffer.alloc(32, 7).toString('base64')}`;

describe('loadConfig', () => {
  it('applies defaults when only the secret is given', () => {
    const config = loadConfig({ ENCRYPTION_KEYS: KEY });
    expect(config.PORT).toBe(3000);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379/0');
  });

  it('reports one line per problem, naming the variable and what was expected', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ENCRYPTION_KEYS: KEY });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.startsWith('PORT:'))).toMatch(/number.*"eighty"/);
    expect(problems.find((p) => p.startsWith('DATABASE_URL:'))).toMatch(/postgres:\/\//);
  });

  it("keeps Kommo budgets under Kommo's 7 per second; the egress budget is off by default", () => {
    const config = loadConfig({ ENCRYPTION_KEYS: KEY });
    expect(config.KOMMO_RATE_LIMIT_PER_SECOND).toBe(6);
    expect(config.KOMMO_EGRESS_RATE_LIMIT_PER_SECOND).toBe(0);
    expect(config.KOMMO_BLOCK_PATIENCE_SECONDS).toBe(90);
    expect(() => loadConfig({ ENCRYPTION_KEYS: KEY, KOMMO_RATE_LIMIT_PER_SECOND: '7' })).toThrow(
      /KOMMO_RATE_LIMIT_PER_SECOND: .*under Kommo's 7/,
    );
    expect(() =>
      loadConfig({ ENCRYPTION_KEYS: KEY, KOMMO_EGRESS_RATE_LIMIT_PER_SECOND: '7' }),
    ).toThrow(/KOMMO_EGRESS_RATE_LIMIT_PER_SECOND/);
  });

  it('trusts X-Forwarded-For from loopback proxies by default; TRUST_PROXY names others', () => {
    const trust = (value?: string) =>
      loadConfig({ ENCRYPTION_KEYS: KEY, TRUST_PROXY: value }).TRUST_PROXY;
    expect(trust()).toEqual(['loopback']);
    expect(trust('false')).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.0/8, 192.0.2.7,fd00::/8,uniquelocal')).toEqual([
      '10.0.0.0/8',
      '192.0.2.7',
      'fd00::/8',
      'uniquelocal',
    ]);
    for (const bad of ['10.0.0.0/33', 'proxy.example', '1.2.3.4/8/1', 'loopback,']) {
      expect(() => trust(bad)).toThrow(/TRUST_PROXY: not an address/);
    }
  });

  it('keeps customer texts 30 days and an uninstalled account 30 days by default', () => {
    const config = loadConfig({ ENCRYPTION_KEYS: KEY });
    expect(config.RETENTION_DAYS).toBe(30);
    expect(config.UNINSTALL_PURGE_DAYS).toBe(30);
    expect(config.RETENTION_INTERVAL_MS).toBe(3_600_000);
    expect(loadConfig({ ENCRYPTION_KEYS: KEY, RETENTION_DAYS: '90' }).RETENTION_DAYS).toBe(90);
    for (const bad of ['0', '-1', '1.5', 'forever']) {
      expect(() => loadConfig({ ENCRYPTION_KEYS: KEY, RETENTION_DAYS: bad })).toThrow(
        /RETENTION_DAYS/,
      );
    }
    expect(() => loadConfig({ ENCRYPTION_KEYS: KEY, UNINSTALL_PURGE_DAYS: '0' })).toThrow(
      /UNINSTALL_PURGE_DAYS/,
    );
  });

  it('never echoes a bad secret back', () => {
    try {
      loadConfig({ ENCRYPTION_KEYS: 'k1:c2hvcnQ=' });
      expect.unreachable();
    } catch (e) {
      const text = (e as ConfigError).problems.join('\n');
      expect(text).toMatch(/^ENCRYPTION_KEYS: expected/);
      expect(text).not.toContain('c2hvcnQ');
    }
  });

  it('says a missing required secret is missing', () => {
    expect(() => loadConfig({})).toThrow(/ENCRYPTION_KEYS: missing/);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ ENCRYPTION_KEYS: KEY, PORT: '' }).PORT).toBe(3000);
  });
});

describe('redactConfig', () => {
  it('hides secrets and database passwords', () => {
    const config = loadConfig({
      ENCRYPTION_KEYS: KEY,
      DATABASE_URL: 'postgres://app:hunter2@db:5432/app',
    });
    const text = JSON.stringify(redactConfig(config));
    expect(text).not.toContain(KEY.split(':')[1]);
    expect(text).not.toContain('hunter2');
    expect(text).toContain('[secret]');
  });
});
