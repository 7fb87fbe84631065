import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { type SandboxContext } from '../../context.js';
import { accountParam } from '../control/params.js';
import { type DeliveryFilter } from './delivery.js';

type Query = Record<string, string | undefined>;

function deliveryFilter(context: SandboxContext, query: Query): DeliveryFilter | undefined {
  const account = query.account ? context.kommo.findAccount(query.account) : undefined;
  if (query.account && !account) return undefined;
  return {
    ...(account ? { account_id: account.id } : {}),
    ...(query.event ? { event: query.event } : {}),
    ...(query.destination ? { destination: query.destination } : {}),
    ...(query.lead_id ? { lead_id: Number(query.lead_id) } : {}),
    ...(query.state ? { state: query.state } : {}),
  };
}

const bodyOf = (request: FastifyRequest): Record<string, unknown> =>
  typeof request.body === 'object' && request.body !== null
    ? (request.body as Record<string, unknown>)
    : {};

/**
 * Control API for account webhooks: what the sandbox sent (with every attempt), and an account's
 * subscriptions without a token, including turning one back on as an admin does in Kommo's
 * settings after it was disabled (docs/kommo-contract.md §8.1.3).
 */
export function registerWebhookControl(app: FastifyInstance, context: SandboxContext): void {
  app.get('/_sandbox/webhooks/deliveries', async (request, reply) => {
    const filter = deliveryFilter(context, request.query as Query);
    if (!filter) return reply.code(404).send({ error: 'account not found' });
    const deliveries = context.webhooks.list(filter);
    return { count: deliveries.length, deliveries };
  });
  app.delete('/_sandbox/webhooks/deliveries', async (_request, reply) => {
    context.webhooks.clear();
    return reply.code(204).send();
  });

  app.get('/_sandbox/accounts/:account/webhooks', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    return { webhooks: context.kommo.data(account.id).webhooks.list() };
  });
  app.patch('/_sandbox/accounts/:account/webhooks', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    const body = bodyOf(request);
    if (typeof body.disabled !== 'boolean') {
      return reply.code(400).send({ error: 'disabled (true or false) is required' });
    }
    const hook =
      typeof body.destination === 'string'
        ? context.kommo.data(account.id).webhooks.get(body.destination)
        : undefined;
    if (!hook) return reply.code(404).send({ error: 'no webhook with that destination' });
    hook.disabled = body.disabled;
    context.kommo.changed();
    return hook;
  });
}
