import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../../context.js';
import { type AccountData, type CreateTaskInput, type TaskFilter } from '../account-data.js';
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
import { renderTask } from '../render.js';
import { kommoRequest } from '../request-state.js';
import { batchBody, idParam, objectBody } from './body.js';
import { idFilter, pageEnvelope, parsePaging, parseQuery } from './paging.js';

const CHOICE = 'The value you selected is not a valid choice.';
const isInt = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value);

/**
 * One task of a `POST /api/v4/tasks` body (docs/kommo-contract.md §9.4): `text` and
 * `complete_till` (unix seconds) are required; `entity_type` is `leads` (the sandbox holds no
 * contacts or companies) and names an existing lead with `entity_id`; `task_type_id` is one of
 * the account's types (1 and 2 always exist); `responsible_user_id` a user of the account
 * (default: the token's user). The codes follow §4.1; which code Kommo gives each of these is not
 * documented (the unknown references are refused as `NotSupportedChoice`, inferred).
 */
function checkTask(
  data: AccountData,
  item: Record<string, unknown>,
): { errors: ValidationError[]; input?: Omit<CreateTaskInput, 'created_by'> } {
  const errors: ValidationError[] = [];
  const err = (code: string, path: string, detail: string) => errors.push({ code, path, detail });
  if (typeof item.text !== 'string' || !item.text.trim()) {
    if (item.text !== undefined && typeof item.text !== 'string') {
      err('InvalidType', 'text', 'This value should be of type string.');
    } else err('NotBlank', 'text', 'This value should not be blank.');
  }
  if (item.complete_till === undefined || item.complete_till === null) {
    err('NotBlank', 'complete_till', 'This value should not be blank.');
  } else if (!isInt(item.complete_till)) {
    err('InvalidType', 'complete_till', 'This value should be of type int.');
  } else if (item.complete_till < 0) {
    err('TooLow', 'complete_till', 'This value should be greater than or equal to 0.');
  }
  const hasEntity = item.entity_id !== undefined && item.entity_id !== null;
  if (hasEntity || (item.entity_type !== undefined && item.entity_type !== null)) {
    if (item.entity_type !== 'leads') err('NotSupportedChoice', 'entity_type', CHOICE);
    if (!isInt(item.entity_id)) {
      err('InvalidType', 'entity_id', 'This value should be of type int.');
    } else if (!data.getLead(item.entity_id)) err('NotSupportedChoice', 'entity_id', CHOICE);
  }
  if (item.task_type_id !== undefined) {
    if (!isInt(item.task_type_id)) {
      err('InvalidType', 'task_type_id', 'This value should be of type int.');
    } else if (!data.taskTypes.some((t) => t.id === item.task_type_id)) {
      err('NotSupportedChoice', 'task_type_id', CHOICE);
    }
  }
  if (item.responsible_user_id !== undefined) {
    if (!isInt(item.responsible_user_id)) {
      err('InvalidType', 'responsible_user_id', 'This value should be of type int.');
    } else if (!data.account.users.some((u) => u.id === item.responsible_user_id)) {
      err('NotSupportedChoice', 'responsible_user_id', CHOICE);
    }
  }
  if (item.duration !== undefined && (!isInt(item.duration) || item.duration < 0)) {
    err('InvalidType', 'duration', 'This value should be of type int.');
  }
  if (errors.length > 0) return { errors };
  return {
    errors,
    input: {
      text: String(item.text),
      complete_till: item.complete_till as number,
      ...(hasEntity ? { entity_id: item.entity_id as number } : {}),
      ...(isInt(item.task_type_id) ? { task_type_id: item.task_type_id } : {}),
      ...(isInt(item.responsible_user_id) ? { responsible_user_id: item.responsible_user_id } : {}),
      ...(isInt(item.duration) ? { duration: item.duration } : {}),
    },
  };
}

/** `filter[...]` of `GET /api/v4/tasks`; `filter[task_type]` is Kommo's name for the type. */
function taskFilter(filter: Record<string, unknown>): TaskFilter | { error: string } {
  const result: TaskFilter = {};
  const ids = idFilter(filter.id);
  if (ids) result.ids = ids;
  const entities = idFilter(filter.entity_id);
  if (entities) result.entity_ids = entities;
  const users = idFilter(filter.responsible_user_id);
  if (users) result.responsible_user_ids = users;
  const types = idFilter(filter.task_type ?? filter.task_type_id);
  if (types) result.task_type_ids = types;
  const entityType = filter.entity_type;
  if (entityType !== undefined && entityType !== 'leads') {
    // Contacts, companies and customers exist in Kommo but hold no tasks here.
    result.ids = new Set();
  }
  if (filter.is_completed !== undefined) {
    const flag = typeof filter.is_completed === 'string' ? filter.is_completed : '';
    if (!['0', '1', 'true', 'false'].includes(flag)) return { error: 'Invalid is_completed' };
    result.is_completed = flag === '1' || flag === 'true';
  }
  return result;
}

/** Tasks: list (paged, filters), one, create (array), complete or edit one (PATCH). */
export function registerTaskRoutes(app: FastifyInstance, context: SandboxContext): void {
  const store = context.kommo;

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/tasks',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const query = parseQuery(request);
      const paging = parsePaging(query);
      if ('error' in paging) return sendProblem(reply, 422, paging.error);
      const filter = taskFilter((query.filter ?? {}) as Record<string, unknown>);
      if ('error' in filter) return sendProblem(reply, 400, filter.error);
      const tasks = store.data(account.id).listTasks(filter);
      const baseUrl = requestBaseUrl(request);
      const page = pageEnvelope(tasks, paging, { baseUrl, path: '/api/v4/tasks', query });
      if (page.items.length === 0) return sendEmpty(reply);
      return sendHal(reply, {
        ...page.envelope,
        _embedded: { tasks: page.items.map((t) => renderTask(account.id, t, baseUrl)) },
      });
    },
  });

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/tasks/:id',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const id = idParam(request.params);
      const task = id === undefined ? undefined : store.data(account.id).tasks.get(id);
      if (!task) return sendEmpty(reply);
      return sendHal(reply, renderTask(account.id, task, requestBaseUrl(request)));
    },
  });

  registerAccountRoute(app, context, {
    method: 'POST',
    url: '/api/v4/tasks',
    handler: async (request, reply) => {
      const { account, user } = kommoRequest(request);
      const data = store.data(account.id);
      const items = batchBody(reply, request.body);
      if (!items) return reply;
      const groups: ValidationGroup[] = [];
      const inputs = items.map((item, index) => {
        const checked = checkTask(data, item);
        const requestId = typeof item.request_id === 'string' ? item.request_id : String(index);
        if (checked.errors.length > 0) {
          groups.push({ request_id: requestId, errors: checked.errors });
        }
        return { input: checked.input, requestId };
      });
      // All or nothing, as for leads (whether Kommo writes the valid items is not documented).
      if (groups.length > 0) return sendValidation(reply, groups);
      const baseUrl = requestBaseUrl(request);
      const author = user?.id ?? account.current_user_id;
      const tasks = inputs.map(({ input, requestId }) => {
        if (!input) throw new Error('unreachable: validated above');
        const task = data.createTask({ ...input, created_by: author });
        return {
          id: task.id,
          request_id: requestId,
          _links: { self: { href: `${baseUrl}/api/v4/tasks/${task.id}` } },
        };
      });
      store.changed();
      return sendHal(reply, {
        _links: { self: { href: `${baseUrl}/api/v4/tasks` } },
        _embedded: { tasks },
      });
    },
  });

  registerAccountRoute(app, context, {
    method: 'PATCH',
    url: '/api/v4/tasks/:id',
    handler: async (request, reply) => {
      const { account, user } = kommoRequest(request);
      const data = store.data(account.id);
      const body = objectBody(reply, request.body);
      if (!body) return reply;
      const id = idParam(request.params);
      const task = id === undefined ? undefined : data.tasks.get(id);
      if (!task) return sendProblem(reply, 404, 'Task not found');
      const merged = { ...task, ...body };
      const checked = checkTask(data, merged);
      const errors = [...checked.errors];
      if (body.is_completed !== undefined && typeof body.is_completed !== 'boolean') {
        errors.push({
          code: 'InvalidType',
          path: 'is_completed',
          detail: 'This value should be of type bool.',
        });
      }
      if (errors.length > 0) return sendValidation(reply, [{ request_id: '0', errors }]);
      const input = checked.input;
      if (!input) throw new Error('unreachable: validated above');
      Object.assign(task, input, {
        ...(typeof body.is_completed === 'boolean' ? { is_completed: body.is_completed } : {}),
        ...(isRecordWithText(body.result) ? { result: { text: body.result.text } } : {}),
        updated_by: user?.id ?? account.current_user_id,
        updated_at: Math.floor(store.clock.now() / 1000),
      });
      store.changed();
      const baseUrl = requestBaseUrl(request);
      return sendHal(reply, {
        id: task.id,
        updated_at: task.updated_at,
        _links: { self: { href: `${baseUrl}/api/v4/tasks/${task.id}` } },
      });
    },
  });
}

function isRecordWithText(value: unknown): value is { text: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { text?: unknown }).text === 'string'
  );
}
