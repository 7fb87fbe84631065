import { getQueueToken } from '@nestjs/bull';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Queue } from 'bull';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/bootstrap/create-http-app';
import { QueueName } from '../../src/queues/job-catalogue';
import { createAdminUser } from '../support/admin-client';
import { type KommoStack, startKommoStack } from '../support/kommo-stack';
import { freePort } from '../support/sandbox';
import { type InstalledAccount, installAccount, postJson } from '../support/webhook-stack';

const ADMIN = { email: 'flood-admin@gptbridge.test', password: 'the admin password 01' };
const PER_ADDRESS = 10;
// Long enough for a window to hold a test's sign-ins (a hash takes up to 1.5 s on a busy machine).
const LOCKOUT_MS = 30_000;

let stack: KommoStack;
let shop: InstalledAccount;
let lead = 1_000;

type Attempt = { status: number; ms: number; retryAfter: string | null; message: string };

async function signIn(
  apiUrl: string,
  email: string,
  password: string,
  address = '198.51.100.1',
): Promise<Attempt> {
  const started = performance.now();
  const response = await fetch(`${apiUrl}/admin/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ email, password }),
  });
  const body = (await response.json()) as { message?: string };
  return {
    status: response.status,
    ms: performance.now() - started,
    retryAfter: response.headers.get('retry-after'),
    message: body.message ?? '',
  };
}

/** `n` webhook acks one after another, each timed. */
async function ackTimes(n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const response = await postJson(shop.chatgptUrl, { lead_id: lead++ });
    await response.arrayBuffer();
    expect(response.status).toBe(200);
    times.push(performance.now() - started);
  }
  return times;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

beforeAll(async () => {
  stack = await startKommoStack({
    worker: true,
    vars: {
      ADMIN_MAX_FAILED_LOGINS_PER_ADDRESS: String(PER_ADDRESS),
      ADMIN_LOCKOUT_MINUTES: String(LOCKOUT_MS / 60_000),
    },
  });
  shop = await installAccount(stack);
  // Acks only: this process's worker leaves them queued while latency is measured.
  await stack.worker!.get<Queue>(getQueueToken(QueueName.Ai)).pause(true);
  await createAdminUser(stack, ADMIN.email, 'admin', ADMIN.password);
});

afterAll(async () => {
  await stack?.stop();
});

describe('sign-in flood (issue 19 §3)', () => {
  it('32 parallel sign-ins leave webhook acks near their baseline; a real sign-in works after', async () => {
    await ackTimes(10); // warm-up
    const baseline = median(await ackTimes(40));

    const flood = Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        signIn(
          stack.apiUrl,
          i % 2 === 0 ? ADMIN.email : `nobody${i}@gptbridge.test`,
          `wrong guess ${i}`,
        ),
      ),
    );
    const during = median(await ackTimes(40));
    const attempts = await flood;

    console.log(
      `webhook ack median: ${baseline.toFixed(1)} ms alone, ${during.toFixed(1)} ms during the flood`,
    );
    expect(during).toBeLessThan(Math.max(baseline * 3, baseline + 15));
    // Each was refused: a wrong password, or throttled before any hash, with a Retry-After.
    for (const attempt of attempts) {
      expect([401, 429, 503]).toContain(attempt.status);
      if (attempt.status !== 401) expect(Number(attempt.retryAfter)).toBeGreaterThan(0);
    }
    expect(attempts.filter((a) => a.status === 401).length).toBeLessThanOrEqual(PER_ADDRESS);

    // Right after the flood the right password works from that address.
    expect((await signIn(stack.apiUrl, ADMIN.email, ADMIN.password)).status).toBe(200);
  }, 60_000);

  it(
    'spraying one guess each over many emails from one address is stopped before hashing',
    { timeout: 90_000 },
    async () => {
      const address = '203.0.113.9';
      const statuses: number[] = [];
      for (let i = 0; i < PER_ADDRESS + 5; i++) {
        statuses.push(
          (await signIn(stack.apiUrl, `spray${i}@gptbridge.test`, 'guess', address)).status,
        );
      }
      expect(statuses).toEqual([
        ...Array<number>(PER_ADDRESS).fill(401),
        ...Array<number>(5).fill(429),
      ]);
      const blocked = await signIn(stack.apiUrl, ADMIN.email, ADMIN.password, address);
      expect(blocked.status).toBe(429);
      expect(blocked.message).toMatch(/from this address/);
      // Another address is not affected.
      expect((await signIn(stack.apiUrl, ADMIN.email, ADMIN.password, '203.0.113.10')).status).toBe(
        200,
      );
    },
  );
});

describe('lockout across API processes (issue 19 §11)', () => {
  let second: NestFastifyApplication;
  let secondUrl: string;

  beforeAll(async () => {
    second = await createHttpApp(stack.env);
    const port = await freePort();
    await second.listen({ port, host: '127.0.0.1' });
    secondUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await second?.close();
  });

  it(
    'two processes give the same answers, and an unknown email is answered like a real one',
    { timeout: 90_000 },
    async () => {
      const real = 'two-procs@gptbridge.test';
      await createAdminUser(stack, real, 'support', 'the real password 0001');
      const urls = [stack.apiUrl, secondUrl];
      const ghost = 'two-procs-ghost@gptbridge.test';
      const seen: Record<string, Attempt[]> = { [real]: [], [ghost]: [] };
      // Five wrong passwords in a row, alternating between the processes, from separate addresses.
      for (let i = 0; i < 5; i++) {
        for (const email of [real, ghost]) {
          seen[email]!.push(await signIn(urls[i % 2]!, email, `wrong ${i}`, `192.0.2.${10 + i}`));
        }
      }
      for (const email of [real, ghost]) {
        expect(seen[email]!.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
      }
      // Now both processes refuse both emails, with the same words.
      const locked = await Promise.all(
        urls.flatMap((url) =>
          [real, ghost].map((email) => signIn(url, email, 'wrong again', '192.0.2.50')),
        ),
      );
      expect(locked.map((a) => a.status)).toEqual([429, 429, 429, 429]);
      expect(new Set(locked.map((a) => a.message)).size).toBe(1);
      // Same timing class: both take one hash (medians within a factor of two).
      const realMs = median(seen[real]!.map((a) => a.ms));
      const ghostMs = median(seen[ghost]!.map((a) => a.ms));
      console.log(
        `wrong password: ${realMs.toFixed(0)} ms real email, ${ghostMs.toFixed(0)} ms unknown`,
      );
      expect(realMs / ghostMs).toBeGreaterThan(0.5);
      expect(realMs / ghostMs).toBeLessThan(2);
    },
  );
});
