import { type FastifyReply, type FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { type Logger } from 'pino';
import { redactUrl } from '../../common/logging/redact-url';

/**
 * An acknowledged webhook is on record as its ai_requests row (request id, status, the admin
 * panel and the lead's trace), so its access line is at debug; a refusal or a failure stays at
 * info, like every other route's.
 */
export function webhookAccessLevel(statusCode: number): 'debug' | 'info' {
  return statusCode < 300 ? 'debug' : 'info';
}

/**
 * The webhooks' access line, in pino-http's shape. The webhook routes are left out of pino-http
 * (logging.module.ts): its child logger per request costs the ack path even when the line is not
 * written. An onResponse hook of the webhook scope writes it instead, only when its level is on.
 */
export function logWebhookAccess(
  request: FastifyRequest,
  reply: FastifyReply,
  done: () => void,
): void {
  const log = accessLogger();
  const level = webhookAccessLevel(reply.statusCode);
  if (log?.isLevelEnabled(level)) {
    log[level](
      {
        req: { id: request.id, method: request.method, url: redactUrl(request.url) },
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  }
  done();
}

let cached: { root: Logger; logger: Logger } | undefined;

/**
 * pino-http's logger (set when an app starts) for lines already shaped: its own req/res
 * serializers expect Node's request and response objects.
 */
function accessLogger(): Logger | undefined {
  const root = PinoLogger.root as Logger | undefined;
  if (!root) return undefined;
  if (cached?.root !== root) {
    const asIs = (value: unknown) => value;
    cached = { root, logger: root.child({}, { serializers: { req: asIs, res: asIs } }) };
  }
  return cached.logger;
}
