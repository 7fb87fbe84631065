import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { HealthResponseSchema } from '@gpt-bridge/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/bootstrap/create-http-app';
import { DisposableRedis, freePort } from '../support/redis-server';
import { testEnv } from '../support/test-env';

async function waitFor<T>(
  fn: () => Promise<T>,
  accept: (v: T) => boolean,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('GET /health', () => {
  let app: NestFastifyApplication;
  let redis: DisposableRedis;

  beforeAll(async () => {
    redis = new DisposableRedis(await freePort());
    await redis.start();
    app = await createHttpApp(testEnv({ REDIS_URL: redis.url }));
    await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app.close();
    await redis.stop();
  });

  const get = async () => {
    const response = await fetch(`${await app.getUrl()}/health`);
    return { status: response.status, body: HealthResponseSchema.parse(await response.json()) };
  };

  it('answers 200 with PostgreSQL and Redis up', async () => {
    const { status, body } = await get();
    expect(status).toBe(200);
    expect(body.details.postgres?.status).toBe('up');
    expect(body.details.redis?.status).toBe('up');
  });

  it('answers 503 naming redis while Redis is down, and 200 again once it is back', async () => {
    await redis.stop();
    const down = await waitFor(get, (r) => r.status === 503);
    expect(down.status).toBe(503);
    expect(Object.keys(down.body.error ?? {})).toEqual(['redis']);
    expect(down.body.details.postgres?.status).toBe('up');

    await redis.start();
    const up = await waitFor(get, (r) => r.status === 200);
    expect(up.status).toBe(200);
    expect(up.body.details.redis?.status).toBe('up');
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const base = await app.getUrl();
    const kept = await fetch(`${base}/health`, { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await fetch(`${base}/health`, {
      headers: { 'x-request-id': 'not safe {$ne: 1} '.repeat(8) },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with the ApiError shape', async () => {
    const response = await fetch(`${await app.getUrl()}/no/such/route`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ statusCode: 404, error: 'NOT_FOUND' });
    expect(typeof body.requestId).toBe('string');
  });
});
