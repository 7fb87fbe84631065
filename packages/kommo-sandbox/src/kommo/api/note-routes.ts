import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type SandboxContext } from '../../context.js';
import { registerAccountRoute } from '../api-guard.js';
import { requestBaseUrl } from '../addressing.js';
import {
  sendEmpty,
  sendHal,
  sendProblem,
  sendValidation,
  type ValidationError,
  type ValidationGroup,
} from '../problems.js';
import { renderNote } from '../render.js';
import { kommoRequest } from '../request-state.js';
import { type NoteType } from '../types.js';
import { batchBody, idParam } from './body.js';
import { idFilter, pageEnvelope, parsePaging, parseQuery } from './paging.js';

const NOTE_TYPES = new Set<string>(['common', 'service_message', 'extended_service_message']);

function checkNote(item: Record<string, unknown>): ValidationError[] {
  const errors: ValidationError[] = [];
  if (typeof item.note_type !== 'string' || !NOTE_TYPES.has(item.note_type)) {
    errors.push({
      code: 'NotSupportedChoice',
      path: 'note_type',
      detail: 'The value you selected is not a valid choice.',
    });
  }
  const params = item.params;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    errors.push({
      code: 'InvalidType',
      path: 'params',
      detail: 'This value should be of type object.',
    });
    return errors;
  }
  const p = params as Record<string, unknown>;
  if (typeof p.text !== 'string' || !p.text) {
    errors.push({
      code: 'NotBlank',
      path: 'params.text',
      detail: 'This value should not be blank.',
    });
  }
  if (item.note_type !== 'common' && (typeof p.service !== 'string' || !p.service)) {
    errors.push({
      code: 'NotBlank',
      path: 'params.service',
      detail: 'This value should not be blank.',
    });
  }
  return errors;
}

/** Lead notes: POST `/leads/{id}/notes`, POST `/leads/notes` (with entity_id), GET lists. */
export function registerNoteRoutes(app: FastifyInstance, context: SandboxContext): void {
  const store = context.kommo;

  const create = (request: FastifyRequest, reply: FastifyReply, fixedLeadId?: number) => {
    const { account, user } = kommoRequest(request);
    const data = store.data(account.id);
    const items = batchBody(reply, request.body);
    if (!items) return reply;
    const groups: ValidationGroup[] = [];
    items.forEach((item, index) => {
      const errors = checkNote(item);
      const leadId = fixedLeadId ?? item.entity_id;
      if (typeof leadId !== 'number' || !data.getLead(leadId)) {
        errors.unshift({ code: 'NotFound', path: 'entity_id', detail: 'Lead not found' });
      }
      if (errors.length > 0) groups.push({ request_id: String(index), errors });
    });
    if (groups.length > 0) return sendValidation(reply, groups);
    const baseUrl = requestBaseUrl(request);
    const notes = items.map((item, index) => {
      const note = store.addNote(account.id, {
        entity_id: fixedLeadId ?? Number(item.entity_id),
        note_type: item.note_type as NoteType,
        params: item.params as Record<string, unknown>,
        created_by: user?.id ?? account.current_user_id,
      });
      return {
        id: note.id,
        entity_id: note.entity_id,
        request_id: String(index),
        _links: renderNote(account.id, note, baseUrl)._links,
      };
    });
    return sendHal(reply, {
      _links: { self: { href: `${baseUrl}/api/v4/leads/notes` } },
      _embedded: { notes },
    });
  };

  const list = (request: FastifyRequest, reply: FastifyReply, leadId?: number) => {
    const { account } = kommoRequest(request);
    const query = parseQuery(request);
    const paging = parsePaging(query);
    if ('error' in paging) return sendProblem(reply, 422, paging.error);
    const filter = (query.filter ?? {}) as Record<string, unknown>;
    const entityIds = idFilter(filter.entity_id);
    const noteType = typeof filter.note_type === 'string' ? filter.note_type : undefined;
    const notes = store
      .listNotes(account.id, leadId)
      .filter(
        (n) =>
          (!entityIds || entityIds.has(n.entity_id)) && (!noteType || n.note_type === noteType),
      );
    const baseUrl = requestBaseUrl(request);
    const path = leadId === undefined ? '/api/v4/leads/notes' : `/api/v4/leads/${leadId}/notes`;
    const page = pageEnvelope(notes, paging, { baseUrl, path, query });
    if (page.items.length === 0) return sendEmpty(reply);
    return sendHal(reply, {
      ...page.envelope,
      _embedded: { notes: page.items.map((n) => renderNote(account.id, n, baseUrl)) },
    });
  };

  const leadId = (request: FastifyRequest, reply: FastifyReply): number | undefined => {
    const id = idParam(request.params);
    if (id === undefined || !store.getLead(kommoRequest(request).account.id, id)) {
      void sendProblem(reply, 404, 'Lead not found');
      return undefined;
    }
    return id;
  };

  registerAccountRoute(app, context, {
    method: 'POST',
    url: '/api/v4/leads/notes',
    handler: async (request, reply) => create(request, reply),
  });
  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/leads/notes',
    handler: async (request, reply) => list(request, reply),
  });
  registerAccountRoute(app, context, {
    method: 'POST',
    url: '/api/v4/leads/:id/notes',
    handler: async (request, reply) => {
      const id = leadId(request, reply);
      return id === undefined ? reply : create(request, reply, id);
    },
  });
  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/leads/:id/notes',
    handler: async (request, reply) => {
      const id = leadId(request, reply);
      return id === undefined ? reply : list(request, reply, id);
    },
  });
}
