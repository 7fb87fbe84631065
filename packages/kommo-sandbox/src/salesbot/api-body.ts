import { type FastifyError, type FastifyInstance } from 'fastify';
import qs from 'qs';
import { problem } from '../kommo/index.js';

/**
 * Body parsing and errors for the salesbot's Kommo API routes, in Kommo's shapes: an empty body is
 * "no data" (the route answers 400 itself), form bodies are read PHP-style, and errors are
 * problem+json. Call inside an encapsulated plugin so other routes keep Fastify's defaults.
 */
export function installKommoApiPlumbing(api: FastifyInstance): void {
  api.removeContentTypeParser('application/json');
  api.addContentTypeParser(
    ['application/json', 'application/hal+json'],
    { parseAs: 'string' },
    (_request, body, done) => {
      const text = String(body);
      if (!text.trim()) return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch {
        done(
          Object.assign(new Error('Request body is not valid JSON'), { statusCode: 400 }),
          undefined,
        );
      }
    },
  );
  api.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, qs.parse(String(body))),
  );
  api.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    const extra = status >= 500 ? { trace_id: `sandbox-${request.id}` } : {};
    return reply
      .code(status)
      .type('application/problem+json')
      .send(JSON.stringify(problem(status, error.message, extra)));
  });
}
