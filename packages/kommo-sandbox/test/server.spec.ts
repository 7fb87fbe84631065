import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSandbox } from '../src/server.js';

describe('sandbox server', () => {
  const { app } = buildSandbox();
  let base = '';

  beforeAll(async () => {
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  it('answers its control health check over real HTTP', async () => {
    const response = await fetch(`${base}/_sandbox/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
