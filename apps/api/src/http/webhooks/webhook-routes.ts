import { Logger } from '@nestjs/common';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type ClientBudget } from '../../common/http/client-budget';
import { overUnknownTokenBudget } from '../../common/http/unknown-token-refusal';
import {
  type IntakeRequest,
  type WebhookIntake,
} from '../../domain/requests/intake/webhook-intake.service';
import { logWebhookAccess } from './webhook-access-log';

// Fastify refuses bodies past this before our handler runs; below it, WEBHOOK_MAX_BODY_BYTES
// decides, so an oversized body from a known token is logged for its account.
const HARD_BODY_LIMIT = 1_048_576;

type TokenRoute = { Params: { token: string } };

/** The webhook routes, as Fastify names them. */
export const WEBHOOK_ROUTE_URLS: ReadonlySet<string> = new Set([
  '/:token/handler',
  '/:token/widget-request',
]);

// Fastify's own request logger is off (Nest's pino logger writes our lines), so errors go here.
const logger = new Logger('WebhookRoutes');

/**
 * The webhooks as plain Fastify routes, outside Nest's request pipeline: the ack path is the
 * hottest one we have (docs/performance.md), and it reads JSON and PHP-style forms itself.
 */
export function registerWebhookRoutes(
  fastify: FastifyInstance,
  intake: WebhookIntake,
  budget: ClientBudget,
): void {
  void fastify.register((scope, _options, done) => {
    scope.addHook('onResponse', logWebhookAccess);
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: HARD_BODY_LIMIT },
      (_request, body, next) => next(null, body),
    );
    scope.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
      // An unexpected failure here is the database or Redis: "try again", not "you sent it wrong".
      const status = error.statusCode ?? 503;
      if (status >= 500) logger.error({ err: error, reqId: request.id }, 'webhook intake failed');
      void reply.code(status).send(
        status === 413
          ? {
              error: 'body_too_large',
              message: `the body is larger than ${HARD_BODY_LIMIT} bytes`,
            }
          : status >= 500
            ? { error: 'unavailable', message: 'the request could not be stored; send it again' }
            : { error: 'bad_request', message: error.message },
      );
    });
    const handle =
      (mode: 'classic' | 'widget') =>
      async (request: FastifyRequest<TokenRoute>, reply: FastifyReply) => {
        const input = toIntakeRequest(request);
        const result =
          mode === 'classic' ? await intake.classic(input) : await intake.widget(input);
        // Only an unknown token (a guess, or a stale salesbot's old URL) counts against the
        // address: Kommo sends every account's webhooks from a few addresses, and a known token's
        // answer never waits for Redis.
        if (result.status === 404) {
          const refused = await overUnknownTokenBudget(
            budget,
            'webhook-refusals',
            request.ip,
            reply,
            'webhook',
          );
          if (refused) return refused;
        }
        return reply.code(result.status).send(result.body);
      };
    scope.post<TokenRoute>('/:token/handler', handle('classic'));
    scope.post<TokenRoute>('/:token/widget-request', handle('widget'));
    done();
  });
}

function toIntakeRequest(request: FastifyRequest<TokenRoute>): IntakeRequest {
  const queryStart = request.url.indexOf('?');
  const idempotencyKey = request.headers['idempotency-key'];
  return {
    token: request.params.token,
    rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    contentType: request.headers['content-type'],
    query: new URLSearchParams(queryStart === -1 ? '' : request.url.slice(queryStart + 1)),
    idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey.slice(0, 200) : undefined,
  };
}
