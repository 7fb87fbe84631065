import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCors from '@fastify/cors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWidgetApiUrl, perRouteCorsOptions } from './cors';

// The options on a bare Fastify: what @fastify/cors makes of them, without Nest around it.
describe('perRouteCorsOptions', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    await app.register(fastifyCors, perRouteCorsOptions(['http://127.0.0.1:4000']));
    app.get('/widget-api/session', () => ({ ok: true }));
    app.post('/admin/api/login', () => ({ ok: true }));
    await app.ready();
  });

  afterAll(() => app.close());

  const preflight = (origin: string, url = '/widget-api/session') =>
    app.inject({
      method: 'OPTIONS',
      url,
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-auth-token',
      },
    });

  it('answers an account page preflight with its origin, headers and methods', async () => {
    const response = await preflight('https://acme.kommo.com');
    expect(response.statusCode).toBe(204);
    expect(response.headers).toMatchObject({
      'access-control-allow-origin': 'https://acme.kommo.com',
      'access-control-allow-headers': 'X-Auth-Token, Content-Type',
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
      vary: 'Origin',
    });
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('allows a configured extra origin', async () => {
    const response = await preflight('http://127.0.0.1:4000');
    expect(response.headers['access-control-allow-origin']).toBe('http://127.0.0.1:4000');
  });

  it('gives any other origin no CORS headers, but still Vary: Origin', async () => {
    const response = await preflight('https://evil.example');
    expect(response.statusCode).toBe(404);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['access-control-allow-headers']).toBeUndefined();
    expect(response.headers.vary).toBe('Origin');

    const get = await app.inject({
      method: 'GET',
      url: '/widget-api/session',
      headers: { origin: 'https://evil.example' },
    });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('echoes an allowed origin on the actual call', async () => {
    const get = await app.inject({
      method: 'GET',
      url: '/widget-api/session',
      headers: { origin: 'https://acme.amocrm.ru' },
    });
    expect(get.headers['access-control-allow-origin']).toBe('https://acme.amocrm.ru');
    expect(get.headers.vary).toBe('Origin');
  });

  it('answers no preflight outside /widget-api, even from an account page', async () => {
    for (const url of ['/admin/api/login', '/widget-api-x/session', '/health']) {
      const response = await preflight('https://acme.kommo.com', url);
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['access-control-allow-origin'], url).toBeUndefined();
      expect(response.headers['access-control-allow-methods'], url).toBeUndefined();
      expect(response.headers.vary, url).toBe('Origin');
    }
    const post = await app.inject({
      method: 'POST',
      url: '/admin/api/login',
      headers: { origin: 'https://acme.kommo.com' },
    });
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    expect(post.headers.vary).toBe('Origin');
  });

  it('tells widget API paths from look-alikes', () => {
    expect(isWidgetApiUrl('/widget-api')).toBe(true);
    expect(isWidgetApiUrl('/widget-api/fields/check?x=1')).toBe(true);
    expect(isWidgetApiUrl('/widget-apix')).toBe(false);
    expect(isWidgetApiUrl('/admin/api/widget-api/x')).toBe(false);
  });
});
