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
import { renderLead } from '../render.js';
import { kommoRequest } from '../request-state.js';
import { batchBody, idParam, objectBody } from './body.js';
import { planLeadChange } from './lead-changes.js';
import { idFilter, pageEnvelope, parsePaging, parseQuery } from './paging.js';

/** Leads: GET one, GET list, PATCH one, PATCH batch, POST batch (docs/kommo-contract.md §4.4). */
export function registerLeadRoutes(app: FastifyInstance, context: SandboxContext): void {
  const store = context.kommo;

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/leads',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const data = store.data(account.id);
      const query = parseQuery(request);
      const paging = parsePaging(query);
      if ('error' in paging) return sendProblem(reply, 422, paging.error);
      const filter = query.filter as Record<string, unknown> | undefined;
      const ids = idFilter(filter?.id);
      const text = typeof query.query === 'string' ? query.query.toLowerCase() : undefined;
      const leads = data.listLeads().filter((lead) => {
        if (ids && !ids.has(lead.id)) return false;
        if (!text) return true;
        const haystack = [
          lead.name,
          String(lead.id),
          ...Object.values(lead.fields)
            .flat()
            .map((v) => String(v.value)),
        ];
        return haystack.some((s) => s.toLowerCase().includes(text));
      });
      const baseUrl = requestBaseUrl(request);
      const page = pageEnvelope(leads, paging, { baseUrl, path: '/api/v4/leads', query });
      if (page.items.length === 0) return sendEmpty(reply);
      return sendHal(reply, {
        ...page.envelope,
        _embedded: { leads: page.items.map((l) => renderLead(data, l, baseUrl)) },
      });
    },
  });

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/leads/:id',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const data = store.data(account.id);
      const id = idParam(request.params);
      const lead = id === undefined ? undefined : data.getLead(id);
      if (!lead) return sendEmpty(reply);
      return sendHal(reply, renderLead(data, lead, requestBaseUrl(request)));
    },
  });

  registerAccountRoute(app, context, {
    method: 'PATCH',
    url: '/api/v4/leads/:id',
    handler: async (request, reply) => {
      const { account, user } = kommoRequest(request);
      const data = store.data(account.id);
      const body = objectBody(reply, request.body);
      if (!body) return reply;
      const id = idParam(request.params);
      const lead = id === undefined ? undefined : data.getLead(id);
      if (!lead) return sendProblem(reply, 404, 'Lead not found');
      const change = planLeadChange(data, body, store.settings.fields, lead);
      if (change.errors.length > 0) {
        return sendValidation(reply, [{ request_id: '0', errors: change.errors }]);
      }
      change.apply(lead, user?.id ?? account.current_user_id);
      store.changed();
      const baseUrl = requestBaseUrl(request);
      return sendHal(reply, {
        id: lead.id,
        updated_at: lead.updated_at,
        _links: { self: { href: `${baseUrl}/api/v4/leads/${lead.id}` } },
      });
    },
  });

  registerAccountRoute(app, context, {
    method: 'PATCH',
    url: '/api/v4/leads',
    handler: async (request, reply) => {
      const { account, user } = kommoRequest(request);
      const data = store.data(account.id);
      const items = batchBody(reply, request.body);
      if (!items) return reply;
      const groups: ValidationGroup[] = [];
      const plans = items.map((item, index) => {
        const lead = typeof item.id === 'number' ? data.getLead(item.id) : undefined;
        const change = planLeadChange(data, item, store.settings.fields, lead);
        const errors = [...change.errors];
        if (!lead) errors.unshift({ code: 'NotFound', path: 'id', detail: 'Lead not found' });
        if (errors.length > 0) groups.push({ request_id: String(index), errors });
        return { lead, change };
      });
      // All or nothing: one bad item rejects the batch.
      if (groups.length > 0) return sendValidation(reply, groups);
      const baseUrl = requestBaseUrl(request);
      const leads = plans.map(({ lead, change }) => {
        if (!lead) throw new Error('unreachable: validated above');
        change.apply(lead, user?.id ?? account.current_user_id);
        return {
          id: lead.id,
          updated_at: lead.updated_at,
          _links: { self: { href: `${baseUrl}/api/v4/leads/${lead.id}` } },
        };
      });
      store.changed();
      return sendHal(reply, {
        _links: { self: { href: `${baseUrl}/api/v4/leads` } },
        _embedded: { leads },
      });
    },
  });

  registerAccountRoute(app, context, {
    method: 'POST',
    url: '/api/v4/leads',
    handler: async (request, reply) => {
      const { account, user } = kommoRequest(request);
      const data = store.data(account.id);
      const items = batchBody(reply, request.body);
      if (!items) return reply;
      const plans = items.map((item) => planLeadChange(data, item, store.settings.fields));
      const groups = plans.flatMap((plan, index) =>
        plan.errors.length > 0 ? [{ request_id: String(index), errors: plan.errors }] : [],
      );
      if (groups.length > 0) return sendValidation(reply, groups);
      const baseUrl = requestBaseUrl(request);
      const leads = plans.map((plan, index) => {
        const lead = data.createLead({});
        plan.apply(lead, user?.id ?? account.current_user_id);
        return {
          id: lead.id,
          request_id: String(index),
          _links: { self: { href: `${baseUrl}/api/v4/leads/${lead.id}` } },
        };
      });
      store.changed();
      return sendHal(reply, {
        _links: { self: { href: `${baseUrl}/api/v4/leads` } },
        _embedded: { leads },
      });
    },
  });
}
