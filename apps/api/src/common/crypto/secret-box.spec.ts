import { describe, expect, it } from 'vitest';
import { AppConfig } from '../../config/app-config';
import { type Env } from '../../config/env.schema';
import { SecretBox, SecretBoxError } from './secret-box';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const box = (keys: string) => new SecretBox(new AppConfig({ ENCRYPTION_KEYS: keys } as Env));

describe('SecretBox', () => {
  it('round-trips and never contains the plain text', () => {
    const b = box(`k1:${key(1)}`);
    const sealed = b.encrypt('refresh-token-value', 'ctx');
    expect(sealed.startsWith('gcm1:k1:')).toBe(true);
    expect(sealed).not.toContain('refresh-token-value');
    expect(b.decrypt(sealed, 'ctx')).toBe('refresh-token-value');
  });

  it('uses a fresh IV each time', () => {
    const b = box(`k1:${key(1)}`);
    expect(b.encrypt('same', 'ctx')).not.toBe(b.encrypt('same', 'ctx'));
  });

  it('refuses another context, a tampered value and an unknown key', () => {
    const b = box(`k1:${key(1)}`);
    const sealed = b.encrypt('secret', 'row-a');
    expect(() => b.decrypt(sealed, 'row-b')).toThrow(SecretBoxError);
    const parts = sealed.split(':');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => b.decrypt(parts.join(':'), 'row-a')).toThrow(SecretBoxError);
    expect(() => box(`k9:${key(9)}`).decrypt(sealed, 'row-a')).toThrow(/"k1" is not configured/);
  });

  it('rotates: values under the old key still decrypt and are reported stale', () => {
    const old = box(`k1:${key(1)}`).encrypt('secret', 'ctx');
    const rotated = box(`k2:${key(2)},k1:${key(1)}`);
    expect(rotated.decrypt(old, 'ctx')).toBe('secret');
    expect(rotated.isStale(old)).toBe(true);
    expect(rotated.isStale(rotated.encrypt('secret', 'ctx'))).toBe(false);
  });
});
