import { type ApiError } from '@gpt-bridge/shared';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { WEBHOOK_ROUTE_URLS } from '../http/webhooks/webhook-routes';

type BadInput = ApiError & { code: string };

const badRequest = (request: FastifyRequest, code: string, message: string): BadInput => ({
  statusCode: 400,
  error: 'BAD_REQUEST',
  code,
  message,
  requestId: request.id,
});

/**
 * Fastify's `frameworkErrors`: a path it cannot decode (`/%zz`) or an over-long parameter is
 * refused before any route or Nest filter runs; answer it in our error shape.
 */
export function frameworkErrors(
  error: { code?: string; statusCode?: number },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
  const body =
    error.code === 'FST_ERR_BAD_URL'
      ? badRequest(request, 'bad_url', 'the URL path has malformed percent-encoding')
      : badRequest(request, 'bad_url', 'the URL could not be routed');
  // No route matched, so no hook runs: the headers security-headers.ts would add come from here.
  void reply
    .code(status)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send({ ...body, statusCode: status });
}

/** True when every name and value of the query string decodes (form rules: `+` is a space). */
export function isDecodableQuery(query: string): boolean {
  if (!query.includes('%')) return true;
  for (const part of query.split(/[&=]/)) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return false;
    }
  }
  return true;
}

/** The first name that appears twice in a (decodable) query string, if any. */
export function repeatedQueryName(query: string): string | null {
  const seen = new Set<string>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeURIComponent((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
}

/**
 * Fastify's query parser keeps undecodable names as they are, so a route (or a logger) that
 * decodes them itself would fail with our 500; and it turns a repeated name into an array where
 * every route expects a string. Refuse both up front. The webhooks are exempt from the second
 * rule: they read the first value, so a Kommo URL that works today keeps working.
 */
export function rejectMalformedQueries(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const at = request.url.indexOf('?');
    if (at === -1) {
      done();
      return;
    }
    const query = request.url.slice(at + 1);
    if (!isDecodableQuery(query)) {
      void reply
        .code(400)
        .send(badRequest(request, 'bad_query', 'the query string has malformed percent-encoding'));
      return;
    }
    const repeated = WEBHOOK_ROUTE_URLS.has(request.routeOptions.url ?? '')
      ? null
      : repeatedQueryName(query);
    if (repeated !== null) {
      void reply
        .code(400)
        .send(
          badRequest(
            request,
            'bad_query',
            `the query parameter "${repeated.slice(0, 40)}" is given more than once`,
          ),
        );
      return;
    }
    done();
  });
}
