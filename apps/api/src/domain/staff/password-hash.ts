import { randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';

// OWASP's scrypt floor (N=2^17, r=8, p=1) costs 128 MiB; maxmem must allow it.
const DEFAULT = { N: 2 ** 17, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, cost: ScryptOptions): Promise<Buffer> {
  const N = cost.N ?? DEFAULT.N;
  const r = cost.r ?? DEFAULT.r;
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      KEY_LENGTH,
      { ...cost, maxmem: 256 * N * r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/**
 * `scrypt$N=..,r=..,p=..$<salt>$<key>` (base64url): the salt and the cost travel with the hash,
 * so a later, higher cost still verifies old hashes.
 */
export async function hashPassword(
  password: string,
  cost: { N: number; r: number; p: number } = DEFAULT,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost);
  return `scrypt$N=${cost.N},r=${cost.r},p=${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

function parse(stored: string): { cost: ScryptOptions; salt: Buffer; key: Buffer } | null {
  const match = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(
    stored,
  );
  if (!match) return null;
  const [, n, r, p, salt, key] = match;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  // A tampered row must not make us burn unbounded memory.
  if (cost.N > 2 ** 20 || cost.r > 32 || cost.p > 16) return null;
  return { cost, salt: Buffer.from(salt!, 'base64url'), key: Buffer.from(key!, 'base64url') };
}

/** Constant-time comparison of the derived key; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed || parsed.key.length !== KEY_LENGTH) return false;
  const key = await derive(password, parsed.salt, parsed.cost);
  return timingSafeEqual(key, parsed.key);
}

let dummy: Promise<string> | undefined;

/** Verified against for unknown emails, so both cases take the same time. */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}

/** Minimal rules: long enough to resist guessing; anything else is the user's choice. */
export function passwordProblem(password: string): string | null {
  if (password.length < 12) return 'the password must have at least 12 characters';
  if (password.length > 256) return 'the password must have at most 256 characters';
  return null;
}
