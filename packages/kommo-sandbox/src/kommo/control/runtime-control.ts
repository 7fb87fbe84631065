import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { type SandboxContext } from '../../context.js';
import { type FaultSpec } from '../faults.js';
import { type RequestLogFilter } from '../request-log.js';
import {
  BOT_MESSAGE_MODES,
  type Integration,
  type KommoSettings,
  OUTGOING_MESSAGE_EVENTS,
  RATE_LIMIT_SCOPES,
} from '../types.js';

type Body = Record<string, unknown>;
const bodyOf = (request: FastifyRequest): Body =>
  typeof request.body === 'object' && request.body !== null ? (request.body as Body) : {};

function logFilter(query: Record<string, string | undefined>): RequestLogFilter {
  const num = (key: string) => (query[key] === undefined ? undefined : Number(query[key]));
  return {
    ...(query.method ? { method: query.method } : {}),
    ...(query.path ? { path: query.path } : {}),
    ...(query.kind ? { kind: query.kind } : {}),
    ...(query.direction === 'in' || query.direction === 'out'
      ? { direction: query.direction }
      : {}),
    ...(num('account_id') !== undefined ? { account_id: num('account_id') } : {}),
    ...(num('status') !== undefined ? { status: num('status') } : {}),
    ...(num('since') !== undefined ? { since: num('since') } : {}),
  };
}

/** The problem with a `webhooks` settings patch, if any. */
function checkWebhookSettings(
  patch: Partial<KommoSettings['webhooks']> | undefined,
): string | null {
  if (patch === undefined) return null;
  if (patch.botMessages !== undefined && !BOT_MESSAGE_MODES.includes(patch.botMessages)) {
    return `webhooks.botMessages must be one of ${BOT_MESSAGE_MODES.join(', ')}`;
  }
  const outgoing = patch.outgoingMessages;
  if (outgoing !== undefined && !OUTGOING_MESSAGE_EVENTS.includes(outgoing)) {
    return `webhooks.outgoingMessages must be one of ${OUTGOING_MESSAGE_EVENTS.join(', ')}`;
  }
  const delays = patch.retryDelaysMs;
  if (delays !== undefined && !(Array.isArray(delays) && delays.every((ms) => ms >= 0))) {
    return 'webhooks.retryDelaysMs must be a list of milliseconds';
  }
  for (const key of [
    'timeoutMs',
    'disableAfterFailures',
    'disableWindowMs',
    'maxPerAccount',
  ] as const) {
    const value = patch[key];
    if (value !== undefined && !(typeof value === 'number' && value > 0)) {
      return `webhooks.${key} must be a positive number`;
    }
  }
  return null;
}

/** Control API for the integration, settings, request log, faults, clock and reset. */
export function registerRuntimeControl(app: FastifyInstance, context: SandboxContext): void {
  const store = context.kommo;

  app.get('/_sandbox/integration', () => store.integration);
  const setIntegration = (request: FastifyRequest) => {
    const body = bodyOf(request);
    const patch: Partial<Integration> = {};
    for (const key of [
      'client_id',
      'client_secret',
      'redirect_uri',
      'uninstall_hook_url',
      'name',
    ] as const) {
      if (typeof body[key] === 'string') patch[key] = body[key];
    }
    return store.setIntegration(patch);
  };
  app.put('/_sandbox/integration', setIntegration);
  app.patch('/_sandbox/integration', setIntegration);

  app.get('/_sandbox/settings', () => store.settings);
  app.patch('/_sandbox/settings', async (request, reply) => {
    const body = bodyOf(request) as { [K in keyof KommoSettings]?: Partial<KommoSettings[K]> };
    const scope = body.rateLimit?.scope;
    if (scope !== undefined && !RATE_LIMIT_SCOPES.includes(scope)) {
      return reply
        .code(400)
        .send({ error: `rateLimit.scope must be one of ${RATE_LIMIT_SCOPES.join(', ')}` });
    }
    const webhooks = checkWebhookSettings(body.webhooks);
    if (webhooks) return reply.code(400).send({ error: webhooks });
    return store.updateSettings(body);
  });

  // Blocks a caller as repeated 429s would, in the current scope: {account_id} ('account'),
  // {ip} ('ip', default 127.0.0.1), nothing ('global'); for {ms} or {seconds} of sandbox time.
  app.post('/_sandbox/rate-limit/block', async (request, reply) => {
    const body = bodyOf(request);
    const ms = Number(body.ms ?? 0) + Number(body.seconds ?? 0) * 1e3;
    const accountId = Number(body.account_id ?? 0);
    if (!(ms > 0)) return reply.code(400).send({ error: 'ms or seconds must be > 0' });
    if (store.settings.rateLimit.scope === 'account' && !store.getAccount(accountId)) {
      return reply.code(400).send({ error: 'account_id must name an account' });
    }
    const caller = {
      clientId: store.integration.client_id,
      accountId,
      ip: typeof body.ip === 'string' ? body.ip : '127.0.0.1',
    };
    return { blocked_until: store.rateLimiter.block(caller, ms) };
  });

  // Filters: method, path (glob), account_id, status, kind, direction (in|out), since (virtual ms).
  app.get('/_sandbox/requests', (request) => {
    const entries = store.requests.list(
      logFilter(request.query as Record<string, string | undefined>),
    );
    return { count: entries.length, requests: entries };
  });
  app.get('/_sandbox/requests/counters', () => store.requests.getCounters());
  app.delete('/_sandbox/requests', async (_request, reply) => {
    store.requests.clear();
    return reply.code(204).send();
  });

  app.post('/_sandbox/faults', async (request, reply) => {
    const body = bodyOf(request);
    if (typeof body.path !== 'string') return reply.code(400).send({ error: 'path is required' });
    return reply.code(201).send(store.faults.add(body as FaultSpec));
  });
  app.get('/_sandbox/faults', () => ({ faults: store.faults.list() }));
  app.delete('/_sandbox/faults', async (_request, reply) => {
    store.faults.clear();
    return reply.code(204).send();
  });
  app.delete('/_sandbox/faults/:id', async (request, reply) => {
    const removed = store.faults.remove(Number((request.params as Record<string, string>).id));
    return reply.code(removed ? 204 : 404).send();
  });

  const clockState = () => ({
    now: context.clock.now(),
    iso: new Date(context.clock.now()).toISOString(),
    speed: context.clock.getSpeed(),
  });
  app.get('/_sandbox/clock', () => clockState());
  // Body: { ms } or { seconds } or { minutes } or { hours }.
  app.post('/_sandbox/clock/advance', async (request, reply) => {
    const body = bodyOf(request);
    const ms =
      Number(body.ms ?? 0) +
      Number(body.seconds ?? 0) * 1e3 +
      Number(body.minutes ?? 0) * 6e4 +
      Number(body.hours ?? 0) * 36e5;
    if (!(ms >= 0)) return reply.code(400).send({ error: 'the clock only moves forward' });
    context.clock.advance(ms);
    return clockState();
  });
  app.post('/_sandbox/clock/reset', () => {
    context.clock.resetToRealTime();
    return clockState();
  });
  app.put('/_sandbox/clock/speed', async (request, reply) => {
    const speed = Number(bodyOf(request).speed);
    if (!(speed > 0)) return reply.code(400).send({ error: 'speed must be > 0' });
    context.clock.setSpeed(speed);
    return clockState();
  });

  // Everything back to empty; `keep_integration: true` keeps client id/secret/redirect URI.
  app.post('/_sandbox/reset', (request) => {
    store.reset({ keepIntegration: bodyOf(request).keep_integration === true });
    for (const hook of context.resetHooks) hook();
    return { status: 'reset' };
  });
}
