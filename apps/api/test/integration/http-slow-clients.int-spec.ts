import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/bootstrap/create-http-app';
import { rawHttp, rawRequest } from '../support/raw-http';
import { testEnv } from '../support/test-env';

// Issue 19, point 4: a client that sends slowly, or holds connections, is cut off
// (docs/architecture.md#http-hardening). Short limits through the configuration.
describe('slow clients are cut off (19.4)', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    app = await createHttpApp(
      testEnv({
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '1500',
        HTTP_MAX_CONNECTIONS: '3',
      }),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('closes a connection whose body comes a byte at a time, with 408', async () => {
    const head = `POST /admin/api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
    const outcome = await rawHttp(url, [head, ...'{"email":"a@b.c","pad":"'.split('')], {
      gapMs: 250,
      waitMs: 6_000,
    });
    expect(outcome.closed).toBe(true);
    expect(outcome.status).toBe(408);
    expect(outcome.elapsedMs).toBeLessThan(4_000);
  });

  it('closes a connection whose headers come a byte at a time', async () => {
    const outcome = await rawHttp(url, ['GET /health HTTP/1.1\r\n', ...'X-Slow: abcdefghij'], {
      gapMs: 250,
      waitMs: 6_000,
    });
    expect(outcome.closed).toBe(true);
    expect(outcome.status).toBe(408);
    expect(outcome.elapsedMs).toBeLessThan(3_500);
  });

  it('drops connections past the cap at once, and serves again when they are gone', async () => {
    const held = [1, 2, 3].map(() =>
      rawHttp(url, ['GET /health HTTP/1.1\r\nHost: x\r\n'], { waitMs: 6_000 }),
    );
    await new Promise((r) => setTimeout(r, 200));
    const extra = await rawHttp(url, [], { waitMs: 700 });
    expect(extra.closed).toBe(true);
    expect(extra.text).toBe('');
    // The held ones are cut by the header timeout; then a full request is served.
    for (const outcome of await Promise.all(held)) expect(outcome.closed).toBe(true);
    const served = await rawRequest(url, 'GET /no/such/route HTTP/1.1');
    expect(served.status).toBe(404);
  });
});
