import { randomUUID } from 'node:crypto';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/bootstrap/create-http-app';
import { freePort } from '../support/sandbox';
import { testEnv } from '../support/test-env';

// The sign-in limit per client address holds only if a client cannot name its own address: an
// X-Forwarded-For is believed only from the proxies TRUST_PROXY names (loopback by default).
const PER_ADDRESS = 2;

let app: NestFastifyApplication | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** An API of its own, with a Redis prefix of its own so no other file's sign-ins count here. */
async function startApi(vars: Record<string, string>): Promise<string> {
  app = await createHttpApp(
    testEnv({
      REDIS_PREFIX: `test-trust-${randomUUID()}`,
      ADMIN_MAX_FAILED_LOGINS_PER_ADDRESS: String(PER_ADDRESS),
      ...vars,
    }),
  );
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  return `http://127.0.0.1:${port}`;
}

/** Failed sign-ins (unknown emails, so no email lockout) that each claim another address. */
async function signInsClaimingAddresses(apiUrl: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 1; i <= count; i++) {
    const response = await fetch(`${apiUrl}/admin/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i}` },
      body: JSON.stringify({ email: `nobody${i}@gptbridge.test`, password: 'a guess' }),
    });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  return statuses;
}

describe('TRUST_PROXY', () => {
  it('false: a client that names a new address in every X-Forwarded-For is still one address', async () => {
    const apiUrl = await startApi({ TRUST_PROXY: 'false' });
    expect(await signInsClaimingAddresses(apiUrl, PER_ADDRESS + 1)).toEqual([401, 401, 429]);
  });

  it('a proxy we trust (loopback, the default) names each client', async () => {
    const apiUrl = await startApi({});
    expect(await signInsClaimingAddresses(apiUrl, PER_ADDRESS + 1)).toEqual([401, 401, 401]);
  });

  it('a proxy we do not trust is one address, whatever it forwards', async () => {
    const apiUrl = await startApi({ TRUST_PROXY: '10.0.0.0/8' });
    expect(await signInsClaimingAddresses(apiUrl, PER_ADDRESS + 1)).toEqual([401, 401, 429]);
  });
});
