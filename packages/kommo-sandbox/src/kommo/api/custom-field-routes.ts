import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../../context.js';
import { registerAccountRoute } from '../api-guard.js';
import { requestBaseUrl } from '../addressing.js';
import { type CreateFieldInput } from '../account-data.js';
import {
  sendEmpty,
  sendHal,
  sendProblem,
  sendValidation,
  type ValidationError,
  type ValidationGroup,
} from '../problems.js';
import { renderField } from '../render.js';
import { kommoRequest } from '../request-state.js';
import { type CustomFieldType } from '../types.js';
import { batchBody, idParam } from './body.js';
import { pageEnvelope, parsePaging, parseQuery } from './paging.js';

const TYPES = new Set<string>([
  'text',
  'numeric',
  'checkbox',
  'select',
  'multiselect',
  'date',
  'url',
  'textarea',
  'radiobutton',
  'streetaddress',
  'smart_address',
  'birthday',
  'legal_entity',
  'date_time',
  'price',
  'category',
  'file',
  'tracking_data',
  'linked_entity',
  'monetary',
  'chained_list',
]);
const WITH_ENUMS = new Set(['select', 'multiselect', 'radiobutton']);

function checkField(
  item: Record<string, unknown>,
  takenCodes: Set<string>,
): { errors: ValidationError[]; input?: CreateFieldInput } {
  const errors: ValidationError[] = [];
  if (typeof item.name !== 'string' || !item.name.trim()) {
    errors.push({ code: 'NotBlank', path: 'name', detail: 'This value should not be blank.' });
  }
  if (typeof item.type !== 'string' || !TYPES.has(item.type)) {
    errors.push({
      code: 'NotSupportedChoice',
      path: 'type',
      detail: 'The value you selected is not a valid choice.',
    });
  }
  const code = item.code === undefined || item.code === null ? null : item.code;
  if (code !== null && (typeof code !== 'string' || !/^[A-Za-z0-9_]+$/.test(code))) {
    errors.push({
      code: 'InvalidValue',
      path: 'code',
      detail: 'Code may hold letters, digits and "_" only.',
    });
  } else if (code !== null && takenCodes.has(code)) {
    errors.push({
      code: 'NotUnique',
      path: 'code',
      detail: `A field with code ${code} already exists.`,
    });
  }
  const enums = item.enums;
  if (
    typeof item.type === 'string' &&
    WITH_ENUMS.has(item.type) &&
    (!Array.isArray(enums) || enums.length === 0)
  ) {
    errors.push({
      code: 'NotBlank',
      path: 'enums',
      detail: 'Enums are required for this field type.',
    });
  }
  if (enums !== undefined && enums !== null && !Array.isArray(enums)) {
    errors.push({
      code: 'InvalidType',
      path: 'enums',
      detail: 'This value should be of type array.',
    });
  }
  if (item.sort !== undefined && typeof item.sort !== 'number') {
    errors.push({ code: 'InvalidType', path: 'sort', detail: 'This value should be of type int.' });
  }
  if (errors.length > 0) return { errors };
  return {
    errors,
    input: {
      name: String(item.name),
      type: item.type as CustomFieldType,
      code: code as string | null,
      ...(typeof item.sort === 'number' ? { sort: item.sort } : {}),
      ...(typeof item.group_id === 'string' ? { group_id: item.group_id } : {}),
      is_api_only: item.is_api_only === true,
      enums: Array.isArray(enums)
        ? (enums as { value: string; sort?: number }[]).map((e) => ({
            value: String(e.value),
            ...(typeof e.sort === 'number' ? { sort: e.sort } : {}),
          }))
        : null,
    },
  };
}

function typeFilter(value: unknown): Set<string> | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value)
    ? value
    : typeof value === 'object' && value !== null
      ? Object.values(value)
      : [value];
  return new Set(list.map(String));
}

/** Lead custom fields: list (paged), one, create (array, admin-only), delete (admin-only). */
export function registerCustomFieldRoutes(app: FastifyInstance, context: SandboxContext): void {
  const store = context.kommo;

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/leads/custom_fields',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const query = parseQuery(request);
      const paging = parsePaging(query);
      if ('error' in paging) return sendProblem(reply, 422, paging.error);
      // `filter[type][]=select&filter[type][]=multiselect` (or one `filter[type]=`), §9.1.
      const filter = (query.filter ?? {}) as Record<string, unknown>;
      const types = typeFilter(filter.type);
      const fields = store.listCustomFields(account.id).filter((f) => !types || types.has(f.type));
      const baseUrl = requestBaseUrl(request);
      const page = pageEnvelope(fields, paging, {
        baseUrl,
        path: '/api/v4/leads/custom_fields',
        query,
      });
      if (page.items.length === 0) return sendEmpty(reply);
      return sendHal(reply, {
        _total_items: fields.length,
        ...page.envelope,
        _embedded: { custom_fields: page.items.map((f) => renderField(account.id, f, baseUrl)) },
      });
    },
  });

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/leads/custom_fields/:id',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const id = idParam(request.params);
      const field = id === undefined ? undefined : store.data(account.id).fields.get(id);
      if (!field) return sendEmpty(reply);
      return sendHal(reply, renderField(account.id, field, requestBaseUrl(request)));
    },
  });

  registerAccountRoute(app, context, {
    method: 'POST',
    url: '/api/v4/leads/custom_fields',
    auth: 'admin',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const items = batchBody(reply, request.body);
      if (!items) return reply;
      const taken = new Set(
        store.listCustomFields(account.id).flatMap((f) => (f.code ? [f.code] : [])),
      );
      const groups: ValidationGroup[] = [];
      const inputs = items.map((item, index) => {
        const checked = checkField(item, taken);
        if (checked.input?.code) taken.add(checked.input.code);
        if (checked.errors.length > 0) {
          groups.push({ request_id: String(index), errors: checked.errors });
        }
        return checked.input;
      });
      if (groups.length > 0) return sendValidation(reply, groups);
      const baseUrl = requestBaseUrl(request);
      const created = inputs.map((input, index) => ({
        ...renderField(
          account.id,
          store.createCustomField(account.id, input as CreateFieldInput),
          baseUrl,
        ),
        request_id: String(index),
      }));
      return sendHal(reply, {
        _total_items: created.length,
        _links: { self: { href: `${baseUrl}/api/v4/leads/custom_fields` } },
        _embedded: { custom_fields: created },
      });
    },
  });

  registerAccountRoute(app, context, {
    method: 'DELETE',
    url: '/api/v4/leads/custom_fields/:id',
    auth: 'admin',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const id = idParam(request.params);
      if (id === undefined || !store.data(account.id).fields.has(id)) {
        return sendProblem(reply, 404, 'Field not found');
      }
      store.deleteCustomField(account.id, id);
      return sendEmpty(reply);
    },
  });
}
