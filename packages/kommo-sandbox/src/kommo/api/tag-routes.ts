import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../../context.js';
import { registerAccountRoute } from '../api-guard.js';
import { requestBaseUrl } from '../addressing.js';
import {
  sendEmpty,
  sendHal,
  sendProblem,
  sendValidation,
  type ValidationGroup,
} from '../problems.js';
import { renderTag } from '../render.js';
import { kommoRequest } from '../request-state.js';
import { batchBody } from './body.js';
import { idFilter, pageEnvelope, parsePaging, parseQuery } from './paging.js';

/** Lead tags: list (filters `filter[name]`, `filter[id]`, `query`) and create (array of `{name}`). */
export function registerTagRoutes(app: FastifyInstance, context: SandboxContext): void {
  const store = context.kommo;

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/leads/tags',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const query = parseQuery(request);
      const paging = parsePaging(query);
      if ('error' in paging) return sendProblem(reply, 422, paging.error);
      const filter = (query.filter ?? {}) as Record<string, unknown>;
      const ids = idFilter(filter.id);
      const name = typeof filter.name === 'string' ? filter.name.toLowerCase() : undefined;
      const text = typeof query.query === 'string' ? query.query.toLowerCase() : undefined;
      const tags = store
        .listTags(account.id)
        .filter(
          (t) =>
            (!ids || ids.has(t.id)) &&
            (!name || t.name.toLowerCase() === name) &&
            (!text || t.name.toLowerCase().includes(text)),
        );
      const baseUrl = requestBaseUrl(request);
      const page = pageEnvelope(tags, paging, { baseUrl, path: '/api/v4/leads/tags', query });
      if (page.items.length === 0) return sendEmpty(reply);
      return sendHal(reply, { ...page.envelope, _embedded: { tags: page.items.map(renderTag) } });
    },
  });

  registerAccountRoute(app, context, {
    method: 'POST',
    url: '/api/v4/leads/tags',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const items = batchBody(reply, request.body);
      if (!items) return reply;
      const groups: ValidationGroup[] = items.flatMap((item, index) =>
        typeof item.name === 'string' && item.name.trim()
          ? []
          : [
              {
                request_id: String(index),
                errors: [
                  { code: 'NotBlank', path: 'name', detail: 'This value should not be blank.' },
                ],
              },
            ],
      );
      if (groups.length > 0) return sendValidation(reply, groups);
      const data = store.data(account.id);
      // An existing name gives back the existing tag (names are unique per entity type).
      const tags = items.map((item, index) => ({
        ...renderTag(
          data.ensureTag(String(item.name), typeof item.color === 'string' ? item.color : null),
        ),
        request_id: String(index),
      }));
      store.changed();
      const baseUrl = requestBaseUrl(request);
      return sendHal(reply, {
        _links: { self: { href: `${baseUrl}/api/v4/leads/tags` } },
        _embedded: { tags },
      });
    },
  });
}
