import { type FastifyError, type FastifyInstance } from 'fastify';
import qs from 'qs';
import { KommoStoreError } from './errors.js';
import { problem, sendProblem, sendValidation } from './problems.js';

/** Our own JSON parser: an empty body is "no data" (the handler answers Kommo's 400), not a Fastify error. */
function installBodyParsers(api: FastifyInstance): void {
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
    (_request, body, done) => {
      done(null, qs.parse(String(body)));
    },
  );
}

function installErrorHandler(api: FastifyInstance): void {
  api.setErrorHandler((error: FastifyError, request, reply) => {
    const control = request.url.startsWith('/_sandbox/');
    if (error instanceof KommoStoreError) {
      const status = error.code === 'NotFound' ? 404 : 400;
      if (control) return reply.code(status).send({ error: error.message, code: error.code });
      if (status === 404) return sendProblem(reply, 404, error.message);
      return sendValidation(reply, [
        {
          request_id: '0',
          errors: [{ code: error.code, path: error.path ?? '', detail: error.message }],
        },
      ]);
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (control) return reply.code(status).send({ error: error.message });
    const extra = status >= 500 ? { trace_id: `sandbox-${request.id}` } : {};
    return reply
      .code(status)
      .type('application/problem+json')
      .send(JSON.stringify(problem(status, error.message, extra)));
  });
}

/**
 * Kommo-shaped body parsing and errors for API routes: an empty body is "no data" (the route
 * answers 400 itself), form bodies are read PHP-style, errors are problem+json (control routes
 * under /_sandbox/ get plain JSON). Call inside an encapsulated plugin so other routes keep
 * Fastify's defaults.
 */
export function installKommoApiPlumbing(api: FastifyInstance): void {
  installBodyParsers(api);
  installErrorHandler(api);
}
