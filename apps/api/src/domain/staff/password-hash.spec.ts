import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from './password-hash';

// A low cost keeps the unit test fast; the format and comparison are the same.
const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery', FAST);
    expect(hash).toMatch(/^scrypt\$N=1024,r=8,p=1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(hash).not.toContain('correct horse');
    await expect(verifyPassword('correct horse battery', hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', hash)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const a = await hashPassword('same password here', FAST);
    const b = await hashPassword('same password here', FAST);
    expect(a).not.toBe(b);
    await expect(verifyPassword('same password here', b)).resolves.toBe(true);
  });

  it('uses the default cost and still verifies it', async () => {
    const hash = await hashPassword('a default cost password');
    expect(hash.startsWith('scrypt$N=131072,r=8,p=1$')).toBe(true);
    await expect(verifyPassword('a default cost password', hash)).resolves.toBe(true);
  });

  it('refuses malformed or absurd hashes without throwing', async () => {
    await expect(verifyPassword('x', 'plain-text')).resolves.toBe(false);
    await expect(verifyPassword('x', 'scrypt$N=99999999,r=8,p=1$AAAA$BBBB')).resolves.toBe(false);
    await expect(verifyPassword('x', 'scrypt$N=1024,r=8,p=1$AAAA$BBBB')).resolves.toBe(false);
  });

  it('asks for at least 12 characters', () => {
    expect(passwordProblem('short')).toMatch(/12/);
    expect(passwordProblem('long enough password')).toBeNull();
  });
});
