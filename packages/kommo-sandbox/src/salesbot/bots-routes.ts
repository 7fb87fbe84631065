import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type SandboxContext } from '../context.js';
import {
  kommoRequest,
  registerAccountRoute,
  requestBaseUrl,
  sendEmpty,
  sendHal,
  sendProblem,
  sendValidation,
  type ValidationGroup,
} from '../kommo/index.js';
import { isRecord } from './bot-schema.js';
import { type StoredBot } from './bots-store.js';
import { validateContinueBody } from './continue.js';
import { EngineError } from './engine.js';
import { type Salesbot } from './salesbot.js';

// Kommo runs at most 100 bot tasks per request.
const MAX_TASKS = 100;

type Task = { botId: number; leadId: number };

/**
 * Kommo's bots API, behind the core's guard (token, rate limit, faults, request log):
 * list/get bots, run (v4 single and batch, legacy v2), stop, and the widget_request continue.
 */
export function registerBotsRoutes(
  app: FastifyInstance,
  context: SandboxContext,
  salesbot: Salesbot,
): void {
  const route = registerAccountRoute.bind(null, app, context);

  route({
    method: 'GET',
    url: '/api/v4/bots',
    kind: 'bots.list',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const query = isRecord(request.query) ? request.query : {};
      const limit = Math.min(Math.max(Number(query.limit ?? 250) || 250, 1), 250);
      const page = Math.max(Number(query.page ?? 1) || 1, 1);
      const all = salesbot.bots.list(account.id);
      const slice = all.slice((page - 1) * limit, page * limit);
      if (slice.length === 0) return sendEmpty(reply);
      const base = requestBaseUrl(request);
      const pageCount = Math.ceil(all.length / limit);
      const link = (p: number) => ({ href: `${base}/api/v4/bots?page=${p}&limit=${limit}` });
      return sendHal(reply, {
        _total_items: all.length,
        _page: page,
        _page_count: pageCount,
        _links: { self: link(page), ...(page < pageCount ? { next: link(page + 1) } : {}) },
        _embedded: { bots: slice.map((bot) => renderBot(bot, base)) },
      });
    },
  });

  route({
    method: 'GET',
    url: '/api/v4/bots/:id',
    kind: 'bots.get',
    handler: async (request, reply) => {
      const bot = findBot(salesbot, request);
      // Kommo's reference: 204 when no bot has this id.
      return bot ? sendHal(reply, renderBot(bot, requestBaseUrl(request))) : sendEmpty(reply);
    },
  });

  route({
    method: 'POST',
    url: '/api/v4/bots/:id/run',
    kind: 'bots.run',
    handler: async (request, reply) => {
      const bot = findBot(salesbot, request);
      if (!bot) return sendProblem(reply, 404, 'Salesbot not found');
      const task = v4Task(request.body, bot.id, 0);
      if ('errors' in task) return sendValidation(reply, [task]);
      return runTasks(salesbot, request, reply, [task], 'bots API v4');
    },
  });

  route({
    method: 'POST',
    url: '/api/v4/bots/run',
    kind: 'bots.run',
    handler: async (request, reply) => {
      const list = Array.isArray(request.body) ? (request.body as unknown[]) : undefined;
      if (!list || list.length === 0) {
        return sendProblem(reply, 400, 'Request data can not be empty');
      }
      if (list.length > MAX_TASKS) {
        return sendProblem(reply, 400, `No more than ${MAX_TASKS} tasks`);
      }
      const tasks = list.map((item, index) => v4Task(item, undefined, index));
      const invalid = tasks.filter((task): task is ValidationGroup => 'errors' in task);
      if (invalid.length > 0) return sendValidation(reply, invalid);
      return runTasks(salesbot, request, reply, tasks as Task[], 'bots API v4');
    },
  });

  route({
    method: 'POST',
    url: '/api/v4/bots/:id/stop',
    kind: 'bots.stop',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const bot = findBot(salesbot, request);
      if (!bot) return sendProblem(reply, 404, 'Salesbot not found');
      const task = v4Task(request.body, bot.id, 0);
      if ('errors' in task) return sendValidation(reply, [task]);
      salesbot.engine.stop(account.id, task.leadId, 'stopped through the bots API', bot.id);
      return reply.code(202).send();
    },
  });

  route({
    method: 'POST',
    url: '/api/v2/salesbot/run',
    kind: 'salesbot.run.v2',
    handler: async (request, reply) => {
      const list = Array.isArray(request.body) ? (request.body as unknown[]) : undefined;
      if (!list || list.length === 0) {
        return sendProblem(reply, 400, 'Request data can not be empty');
      }
      if (list.length > MAX_TASKS) {
        return sendProblem(reply, 400, `No more than ${MAX_TASKS} tasks`);
      }
      const tasks = list.map((item, index) => v2Task(item, index));
      const invalid = tasks.filter((task): task is ValidationGroup => 'errors' in task);
      if (invalid.length > 0) return sendValidation(reply, invalid);
      return runTasks(salesbot, request, reply, tasks as Task[], 'API v2', { success: true });
    },
  });

  for (const kind of ['salesbot', 'marketingbot']) {
    route({
      method: 'POST',
      url: `/api/v4/${kind}/:botId/continue/:continueId`,
      auth: 'admin',
      kind: 'salesbot.continue',
      handler: async (request, reply) => {
        const { account } = kommoRequest(request);
        const params = request.params as { botId: string; continueId: string };
        const entry = salesbot.continues.find(
          account.id,
          Number(params.botId),
          params.continueId,
          context.clock.now(),
        );
        if (!entry) {
          return sendProblem(
            reply,
            404,
            `There is no continue record with id ${params.continueId}`,
          );
        }
        const checked = validateContinueBody(request.body);
        if (!checked.ok) {
          return sendValidation(reply, [{ request_id: '0', errors: checked.errors }]);
        }
        salesbot.continues.use(entry, checked.payload);
        return reply.code(202).send();
      },
    });
  }
}

function findBot(salesbot: Salesbot, request: FastifyRequest): StoredBot | undefined {
  const { account } = kommoRequest(request);
  const id = Number((request.params as { id: string }).id);
  return Number.isInteger(id) ? salesbot.bots.get(account.id, id) : undefined;
}

/** Starts every task or none: unknown bots or leads fail the whole request first. */
async function runTasks(
  salesbot: Salesbot,
  request: FastifyRequest,
  reply: FastifyReply,
  tasks: Task[],
  via: string,
  body?: unknown,
): Promise<FastifyReply> {
  const { account } = kommoRequest(request);
  const crm = salesbot.directory.crm(account.id);
  const groups: ValidationGroup[] = [];
  tasks.forEach((task, index) => {
    const errors = [];
    if (!salesbot.bots.get(account.id, task.botId)) {
      errors.push({ code: 'NotFound', path: 'bot_id', detail: `Salesbot ${task.botId} not found` });
    }
    if (!crm?.readLead(task.leadId)) {
      errors.push({ code: 'NotFound', path: 'entity_id', detail: `Lead ${task.leadId} not found` });
    }
    if (errors.length > 0) groups.push({ request_id: String(index), errors });
  });
  if (groups.length > 0) return sendValidation(reply, groups);
  for (const task of tasks) {
    try {
      salesbot.engine.start(account.id, task.leadId, task.botId, `run through the ${via}`);
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      return sendProblem(reply, 400, error.message);
    }
  }
  return body === undefined ? reply.code(202).send() : sendHal(reply, body, 202);
}

function v4Task(body: unknown, botId: number | undefined, index: number): Task | ValidationGroup {
  const item = isRecord(body) ? body : {};
  const errors = [];
  const bot = botId ?? Number(item.bot_id);
  if (!Number.isInteger(bot) || bot <= 0) {
    errors.push({ code: 'InvalidType', path: 'bot_id', detail: 'bot_id must be an integer' });
  }
  const lead = Number(item.entity_id);
  if (!Number.isInteger(lead) || lead <= 0) {
    errors.push({ code: 'InvalidType', path: 'entity_id', detail: 'entity_id must be an integer' });
  }
  if (item.entity_type !== 'leads') {
    // The store has no contacts, so only leads can be run on.
    errors.push({
      code: 'NotSupportedChoice',
      path: 'entity_type',
      detail: 'entity_type must be "leads"',
    });
  }
  return errors.length > 0 ? { request_id: String(index), errors } : { botId: bot, leadId: lead };
}

function v2Task(body: unknown, index: number): Task | ValidationGroup {
  const item = isRecord(body) ? body : {};
  if (Number(item.entity_type) !== 2) {
    const detail = 'entity_type must be 2 (lead); contacts (1) are not simulated';
    return {
      request_id: String(index),
      errors: [{ code: 'NotSupportedChoice', path: 'entity_type', detail }],
    };
  }
  return v4Task({ ...item, entity_type: 'leads' }, undefined, index);
}

function renderBot(bot: StoredBot, base: string): Record<string, unknown> {
  return {
    id: bot.id,
    name: bot.name,
    type_functionality: bot.typeFunctionality,
    account_id: bot.accountId,
    settings: { active: bot.active },
    created_at: Math.floor(bot.createdAt / 1000),
    updated_at: Math.floor(bot.updatedAt / 1000),
    _links: { self: { href: `${base}/api/v4/bots/${bot.id}` } },
  };
}
