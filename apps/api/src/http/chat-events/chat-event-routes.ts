import { Logger } from '@nestjs/common';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type ClientBudget } from '../../common/http/client-budget';
import { overUnknownTokenBudget } from '../../common/http/unknown-token-refusal';
import { type ChatEventIntake } from '../../domain/handoff/chat-event-intake';

// Kommo posts one message per request (docs/kommo-contract.md §8.1.3); a few kB at most.
const BODY_LIMIT = 65_536;

type TokenRoute = { Params: { token: string } };

/** The route, as Fastify names it (the token segment is redacted from every log line). */
export const CHAT_EVENT_ROUTE_URL = '/kommo/events/:token';

const logger = new Logger('ChatEventRoutes');

/**
 * Kommo's account webhook (add_message, add_outgoing_message) for one installation, as a plain
 * Fastify route like the salesbot webhooks: Kommo wants the answer within 2 s and posts forms.
 * Unsigned, so the URL's secret is the proof; only unknown secrets count against the address.
 */
export function registerChatEventRoutes(
  fastify: FastifyInstance,
  intake: ChatEventIntake,
  budget: ClientBudget,
): void {
  void fastify.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: BODY_LIMIT },
      (_request, body, next) => next(null, body),
    );
    scope.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
      const status = error.statusCode ?? 503;
      if (status >= 500) logger.error({ err: error, reqId: request.id }, 'chat event failed');
      void reply
        .code(status)
        .send(
          status === 413
            ? { error: 'body_too_large', message: `the body is larger than ${BODY_LIMIT} bytes` }
            : status >= 500
              ? { error: 'unavailable', message: 'the event could not be stored; send it again' }
              : { error: 'bad_request', message: error.message },
        );
    });
    scope.post<TokenRoute>(
      CHAT_EVENT_ROUTE_URL,
      async (request: FastifyRequest<TokenRoute>, reply: FastifyReply) => {
        const result = await intake.receive({
          token: request.params.token,
          rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          contentType: request.headers['content-type'],
        });
        if (result.status === 404) {
          const refused = await overUnknownTokenBudget(
            budget,
            'chat-event-refusals',
            request.ip,
            reply,
            'event',
          );
          if (refused) return refused;
        }
        return reply.code(result.status).send(result.body);
      },
    );
    done();
  });
}
