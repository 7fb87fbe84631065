import { type FastifyInstance, type FastifyReply } from 'fastify';
import { type SandboxContext } from '../context.js';
import { type KommoAccount } from '../kommo/index.js';
import { BotScriptError, isRecord } from './bot-schema.js';
import { type BotInput, StrictScriptError } from './bots-store.js';
import { EngineError } from './engine.js';
import {
  CONTINUE_GOTO_MODES,
  type ContinueGoto,
  type SalesbotSettings,
  WEBHOOK_BODY_SHAPES,
  type WebhookBodyShape,
} from './ports.js';
import { describeBot, describeChat, describeRun, type Salesbot } from './salesbot.js';

const PREFIX = '/_sandbox/salesbot';

/** Numeric settings the control API can change, by their JSON names. */
const NUMBER_SETTINGS = {
  continue_timeout_ms: 'continueTimeoutMs',
  wait_answer_timeout_ms: 'waitAnswerTimeoutMs',
  ack_timeout_ms: 'ackTimeoutMs',
  step_budget: 'stepBudget',
} as const satisfies Record<string, keyof SalesbotSettings>;

/**
 * The salesbot part of the control API (JSON, no auth): bots, customer messages, transcripts and
 * settings. Accounts are named by id, subdomain or host (`account` in the body or query).
 */
export function registerControlRoutes(
  app: FastifyInstance,
  context: SandboxContext,
  salesbot: Salesbot,
): void {
  const findAccount = (ref: unknown): KommoAccount | undefined =>
    typeof ref === 'string' || typeof ref === 'number' ? context.kommo.findAccount(ref) : undefined;
  const body = (raw: unknown): Record<string, unknown> => (isRecord(raw) ? raw : {});
  const query = (raw: unknown): Record<string, unknown> => (isRecord(raw) ? raw : {});

  app.post(`${PREFIX}/bots`, (request, reply) => {
    const input = body(request.body);
    const account = findAccount(input.account ?? input.account_id);
    if (!account) return missing(reply, 'account');
    if (input.script === undefined) return bad(reply, 'script (the bot JSON) is required');
    if (handAddedSteps(input.hand_added) === null) return bad(reply, HAND_ADDED_FORM);
    try {
      const bot = salesbot.bots.add(
        account.id,
        { name: 'Sandbox bot', active: true, script: input.script, ...botInput(input) },
        context.clock.now(),
        salesbot.settings.strict,
      );
      return reply.code(201).send(describeBot(bot, true));
    } catch (error) {
      return refused(reply, error);
    }
  });

  app.get(`${PREFIX}/bots`, (request, reply) => {
    const account = findAccount(query(request.query).account);
    if (!account) return missing(reply, 'account');
    return reply.send({
      bots: salesbot.bots.list(account.id).map((bot) => describeBot(bot, false)),
    });
  });

  app.get(`${PREFIX}/bots/:id`, (request, reply) => {
    const bot = botById(salesbot, request.params);
    return bot ? reply.send(describeBot(bot, true)) : missing(reply, 'bot');
  });

  app.patch(`${PREFIX}/bots/:id`, (request, reply) => {
    const bot = botById(salesbot, request.params);
    if (!bot) return missing(reply, 'bot');
    const input = body(request.body);
    if (handAddedSteps(input.hand_added) === null) return bad(reply, HAND_ADDED_FORM);
    try {
      salesbot.bots.update(bot, botInput(input), context.clock.now(), salesbot.settings.strict);
      return reply.send(describeBot(bot, true));
    } catch (error) {
      return refused(reply, error);
    }
  });

  app.delete(`${PREFIX}/bots/:id`, (request, reply) => {
    const bot = botById(salesbot, request.params);
    if (!bot) return missing(reply, 'bot');
    salesbot.bots.remove(bot.accountId, bot.id);
    return reply.code(204).send();
  });

  app.get(`${PREFIX}/accounts`, (_request, reply) => {
    const accounts = context.kommo
      .listAccounts()
      .map((a) => ({ id: a.id, subdomain: a.subdomain, name: a.name }));
    return reply.send({ accounts });
  });

  app.post(`${PREFIX}/leads`, (request, reply) => {
    const input = body(request.body);
    const account = findAccount(input.account ?? input.account_id);
    const crm = account && salesbot.directory.crm(account.id);
    if (!account || !crm) return missing(reply, 'account');
    const leadId = crm.createLead(typeof input.name === 'string' ? input.name : undefined);
    return reply.code(201).send(describeChat(salesbot, undefined, account.id, leadId));
  });

  app.get(`${PREFIX}/leads`, (request, reply) => {
    const account = findAccount(query(request.query).account);
    if (!account) return missing(reply, 'account');
    const leads = context.kommo
      .listLeads(account.id)
      .map((lead) => ({ id: lead.id, name: lead.name }));
    return reply.send({ leads });
  });

  app.post(`${PREFIX}/messages`, (request, reply) => {
    const input = body(request.body);
    const account = findAccount(input.account ?? input.account_id);
    const crm = account && salesbot.directory.crm(account.id);
    if (!account || !crm) return missing(reply, 'account');
    if (typeof input.text !== 'string' || input.text === '') return bad(reply, 'text is required');
    let leadId = Number(input.lead_id);
    if (input.lead_id === undefined || input.lead_id === null) {
      if (!input.create_lead) return bad(reply, 'lead_id is required (or create_lead: true)');
      const spec = body(input.create_lead);
      leadId = crm.createLead(typeof spec.name === 'string' ? spec.name : undefined);
    }
    if (!crm.readLead(leadId)) return missing(reply, 'lead');
    const run = salesbot.engine.customerMessage(account.id, leadId, input.text, {
      ...(typeof input.origin === 'string' ? { origin: input.origin } : {}),
      ...(typeof input.contact_name === 'string' ? { contactName: input.contact_name } : {}),
    });
    return reply.send({ account_id: account.id, lead_id: leadId, run: describeRun(run) });
  });

  app.get(`${PREFIX}/leads/:leadId`, (request, reply) => {
    const q = query(request.query);
    const account = findAccount(q.account);
    const leadId = Number((request.params as { leadId: string }).leadId);
    if (!account) return missing(reply, 'account');
    const chat = salesbot.chats.find(account.id, leadId);
    if (!chat && !salesbot.directory.crm(account.id)?.readLead(leadId)) {
      return missing(reply, 'lead');
    }
    return reply.send(describeChat(salesbot, chat, account.id, leadId, Number(q.after ?? 0) || 0));
  });

  app.post(`${PREFIX}/leads/:leadId/run`, (request, reply) => {
    const input = body(request.body);
    const account = findAccount(input.account ?? query(request.query).account);
    if (!account) return missing(reply, 'account');
    const leadId = Number((request.params as { leadId: string }).leadId);
    try {
      const run = salesbot.engine.start(account.id, leadId, Number(input.bot_id), 'control API');
      return reply.code(202).send({ run: describeRun(run) });
    } catch (error) {
      if (error instanceof EngineError) return bad(reply, error.message);
      throw error;
    }
  });

  app.post(`${PREFIX}/leads/:leadId/stop`, (request, reply) => {
    const account = findAccount(body(request.body).account ?? query(request.query).account);
    if (!account) return missing(reply, 'account');
    const leadId = Number((request.params as { leadId: string }).leadId);
    const stopped = salesbot.engine.stop(account.id, leadId, 'stopped through the control API');
    return reply.send({ stopped });
  });

  app.get(`${PREFIX}/settings`, (_request, reply) =>
    reply.send(describeSettings(salesbot.settings)),
  );

  app.patch(`${PREFIX}/settings`, (request, reply) => {
    const input = body(request.body);
    const encoding = input.widget_request_encoding;
    if (encoding !== undefined && encoding !== 'json' && encoding !== 'form') {
      return bad(reply, 'widget_request_encoding is "json" or "form"');
    }
    const shape = input.webhook_body;
    if (shape !== undefined && !WEBHOOK_BODY_SHAPES.includes(shape as WebhookBodyShape)) {
      return bad(reply, `webhook_body is one of ${WEBHOOK_BODY_SHAPES.join(', ')}`);
    }
    const continueGoto = input.continue_goto;
    if (continueGoto !== undefined && !CONTINUE_GOTO_MODES.includes(continueGoto as ContinueGoto)) {
      return bad(reply, `continue_goto is one of ${CONTINUE_GOTO_MODES.join(', ')}`);
    }
    for (const flag of ['strict', 'stop_on_team_message']) {
      if (input[flag] !== undefined && typeof input[flag] !== 'boolean') {
        return bad(reply, `${flag} is true or false`);
      }
    }
    for (const [name, key] of Object.entries(NUMBER_SETTINGS)) {
      const value = input[name];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !(value > 0)) {
        return bad(reply, `${name} must be a positive number`);
      }
      salesbot.settings[key] = value;
    }
    if (encoding !== undefined) salesbot.settings.widgetRequestEncoding = encoding;
    if (shape !== undefined) salesbot.settings.webhookBody = shape as WebhookBodyShape;
    if (continueGoto !== undefined) salesbot.settings.continueGoto = continueGoto as ContinueGoto;
    if (typeof input.default_origin === 'string') {
      salesbot.settings.defaultOrigin = input.default_origin;
    }
    if (typeof input.strict === 'boolean') salesbot.settings.strict = input.strict;
    if (typeof input.stop_on_team_message === 'boolean') {
      salesbot.settings.stopOnTeamMessage = input.stop_on_team_message;
    }
    return reply.send(describeSettings(salesbot.settings));
  });
}

const HAND_ADDED_FORM = 'hand_added is a list of step numbers';

/** `hand_added`: the steps completed by hand in the designer; `null` when malformed. */
function handAddedSteps(raw: unknown): number[] | undefined | null {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) return null;
  return raw.every((step) => Number.isInteger(step) && Number(step) >= 0)
    ? (raw as number[])
    : null;
}

/** 400 for a script that does not parse or that strict mode refuses (with every problem). */
function refused(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof StrictScriptError) {
    return reply.code(400).send({ error: error.message, problems: error.problems });
  }
  if (error instanceof BotScriptError) return bad(reply, error.message);
  throw error;
}

function botById(salesbot: Salesbot, params: unknown) {
  return salesbot.bots.byId(Number((params as { id: string }).id));
}

function botInput(input: Record<string, unknown>): Partial<BotInput> {
  const encoding = input.widget_request_encoding;
  return {
    ...(input.script !== undefined ? { script: input.script } : {}),
    ...(typeof input.name === 'string' ? { name: input.name } : {}),
    ...(input.active !== undefined ? { active: input.active !== false } : {}),
    ...(typeof input.type_functionality === 'string'
      ? { typeFunctionality: input.type_functionality }
      : {}),
    ...(encoding === 'json' || encoding === 'form' ? { widgetRequestEncoding: encoding } : {}),
    ...(typeof input.client_id === 'string' ? { integrationClientId: input.client_id } : {}),
    ...(Array.isArray(input.hand_added) ? { handAddedSteps: input.hand_added as number[] } : {}),
  };
}

function describeSettings(settings: SalesbotSettings): Record<string, unknown> {
  return {
    widget_request_encoding: settings.widgetRequestEncoding,
    webhook_body: settings.webhookBody,
    continue_goto: settings.continueGoto,
    continue_timeout_ms: settings.continueTimeoutMs,
    wait_answer_timeout_ms: settings.waitAnswerTimeoutMs,
    ack_timeout_ms: settings.ackTimeoutMs,
    step_budget: settings.stepBudget,
    default_origin: settings.defaultOrigin,
    strict: settings.strict,
    stop_on_team_message: settings.stopOnTeamMessage,
  };
}

function missing(reply: FastifyReply, what: string): FastifyReply {
  return reply.code(404).send({ error: `${what} not found` });
}

function bad(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ error: message });
}
