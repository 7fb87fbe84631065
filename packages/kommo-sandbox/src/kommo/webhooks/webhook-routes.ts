import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../../context.js';
import { requestBaseUrl } from '../addressing.js';
import { registerAccountRoute } from '../api-guard.js';
import { objectBody } from '../api/body.js';
import { parseQuery } from '../api/paging.js';
import {
  sendEmpty,
  sendHal,
  sendProblem,
  sendValidation,
  type ValidationError,
} from '../problems.js';
import { kommoRequest } from '../request-state.js';
import { isWebhookEvent, type Webhook, type WebhookEvent } from './subscriptions.js';

/** An absolute http(s) URL with a host: what Kommo can call (the field report's "Invalid URL"). */
function isDestination(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2_000) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** What is wrong with a `destination`, if anything (POST and DELETE check it alike). */
function destinationErrors(value: unknown): ValidationError[] {
  if (value === undefined || value === '') {
    return [{ code: 'NotBlank', path: 'destination', detail: 'This value should not be blank.' }];
  }
  return isDestination(value)
    ? []
    : [{ code: 'InvalidValue', path: 'destination', detail: 'Invalid URL' }];
}

function checkSubscription(body: Record<string, unknown>): ValidationError[] {
  const errors = destinationErrors(body.destination);
  const settings = body.settings;
  if (!Array.isArray(settings) || settings.length === 0) {
    errors.push({
      code: Array.isArray(settings) || settings === undefined ? 'NotBlank' : 'InvalidType',
      path: 'settings',
      detail:
        Array.isArray(settings) || settings === undefined
          ? 'This value should not be blank.'
          : 'This value should be of type array.',
    });
  } else {
    settings.forEach((event: unknown, index) => {
      if (!isWebhookEvent(event)) {
        errors.push({
          code: 'NotSupportedChoice',
          path: `settings.${index}`,
          detail: 'The value you selected is not a valid choice.',
        });
      }
    });
  }
  if (body.sort !== undefined && !(Number.isInteger(body.sort) && Number(body.sort) >= 0)) {
    errors.push({ code: 'InvalidType', path: 'sort', detail: 'This value should be of type int.' });
  }
  return errors;
}

const render = (hook: Webhook) => ({ ...hook, settings: [...hook.settings] });

/**
 * `POST|GET|DELETE /api/v4/webhooks` (docs/kommo-contract.md §8.1.1): admin-only, one webhook
 * per destination (a second POST replaces its settings), at most `webhooks.maxPerAccount`.
 */
export function registerWebhookRoutes(app: FastifyInstance, context: SandboxContext): void {
  const store = context.kommo;

  registerAccountRoute(app, context, {
    method: 'POST',
    url: '/api/v4/webhooks',
    auth: 'admin',
    kind: 'webhooks.subscribe',
    handler: async (request, reply) => {
      const { account, user } = kommoRequest(request);
      const body = objectBody(reply, request.body);
      if (!body) return reply;
      const errors = checkSubscription(body);
      if (errors.length > 0) return sendValidation(reply, [{ request_id: '0', errors }]);
      const hooks = store.data(account.id).webhooks;
      const destination = body.destination as string;
      if (!hooks.get(destination) && hooks.size >= store.settings.webhooks.maxPerAccount) {
        return sendProblem(
          reply,
          400,
          `Limit ${store.settings.webhooks.maxPerAccount} webhooks per account`,
        );
      }
      const hook = hooks.upsert({
        destination,
        settings: body.settings as WebhookEvent[],
        ...(body.sort !== undefined ? { sort: Number(body.sort) } : {}),
        userId: user?.id ?? account.current_user_id,
      });
      store.changed();
      return sendHal(reply, render(hook), 201);
    },
  });

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/webhooks',
    auth: 'admin',
    kind: 'webhooks.list',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const filter = (parseQuery(request).filter ?? {}) as Record<string, unknown>;
      const destination = typeof filter.destination === 'string' ? filter.destination : undefined;
      const hooks = store.data(account.id).webhooks.list(destination);
      if (hooks.length === 0) return sendEmpty(reply);
      return sendHal(reply, {
        _total_items: hooks.length,
        _links: { self: { href: `${requestBaseUrl(request)}/api/v4/webhooks` } },
        _embedded: { webhooks: hooks.map(render) },
      });
    },
  });

  registerAccountRoute(app, context, {
    method: 'DELETE',
    url: '/api/v4/webhooks',
    auth: 'admin',
    kind: 'webhooks.unsubscribe',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const body = objectBody(reply, request.body);
      if (!body) return reply;
      const errors = destinationErrors(body.destination);
      if (errors.length > 0) return sendValidation(reply, [{ request_id: '0', errors }]);
      if (!store.data(account.id).webhooks.remove(String(body.destination))) {
        return sendProblem(reply, 404, 'Webhook not found');
      }
      store.changed();
      return sendEmpty(reply);
    },
  });
}
