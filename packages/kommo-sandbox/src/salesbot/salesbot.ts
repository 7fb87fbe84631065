import { type SandboxContext } from '../context.js';
import { BotRegistry, type StoredBot } from './bots-store.js';
import { type ChatMessage } from '../kommo/webhooks/message-events.js';
import { type Chat, ChatStore, type TranscriptEntry } from './chats.js';
import { ContinueRegistry } from './continue.js';
import { SalesbotEngine } from './engine.js';
import { type Run } from './engine-types.js';
import { postWithTimeout } from './http-post.js';
import { kommoDirectory } from './kommo-adapter.js';
import {
  type CrmDirectory,
  DEFAULT_SETTINGS,
  type HttpPoster,
  type SalesbotSettings,
} from './ports.js';

/** The salesbot part's state, shared by its routes. */
export type Salesbot = {
  settings: SalesbotSettings;
  bots: BotRegistry;
  chats: ChatStore;
  continues: ContinueRegistry;
  engine: SalesbotEngine;
  directory: CrmDirectory;
};

export function createSalesbot(context: SandboxContext): Salesbot {
  const settings: SalesbotSettings = { ...DEFAULT_SETTINGS };
  const bots = new BotRegistry();
  const chats = new ChatStore();
  const continues = new ContinueRegistry();
  const directory = kommoDirectory(context);
  chats.onMessage = (chat, entry) => {
    const message = chatMessage(chat, entry, bots);
    if (message) context.webhooks.messageWritten(message);
  };
  const engine = new SalesbotEngine({
    clock: context.clock,
    directory,
    http: recordedPoster(context),
    settings,
    bots,
    chats,
    continues,
    publicUrl: () => context.publicUrl.value,
  });
  return { settings, bots, chats, continues, engine, directory };
}

/** A transcript message as the account webhooks report it (docs/kommo-contract.md §8.1.2). */
function chatMessage(
  chat: Chat,
  entry: TranscriptEntry,
  bots: BotRegistry,
): ChatMessage | undefined {
  const base = {
    accountId: chat.accountId,
    leadId: chat.leadId,
    text: entry.text,
    origin: chat.origin,
    at: entry.at,
  };
  if (entry.kind === 'customer') {
    return { ...base, author: { kind: 'customer', name: chat.contactName || 'Customer' } };
  }
  if (entry.kind === 'bot' && entry.botId !== undefined) {
    const name = bots.byId(entry.botId)?.name ?? `Bot #${entry.botId}`;
    return { ...base, author: { kind: 'bot', botId: entry.botId, name } };
  }
  if (entry.kind === 'team') {
    const userId = Number(entry.detail?.user_id);
    const name = typeof entry.detail?.user_name === 'string' ? entry.detail.user_name : '';
    return { ...base, author: { kind: 'team', userId, name } };
  }
  return undefined;
}

/** The POST the engine uses, also written to the Kommo request log as an outbound call. */
function recordedPoster(context: SandboxContext): HttpPoster {
  return async (url, body, timeoutMs) => {
    const result = await postWithTimeout(url, body, timeoutMs);
    context.kommo.recordRequest({
      direction: 'out',
      method: 'POST',
      path: url,
      url,
      account_id: null,
      status: result.ok ? result.status : 0,
      kind: 'salesbot.outbound',
      outcome: null,
      duration_ms: result.elapsedMs,
      body: body.payload,
      ...(result.ok ? {} : { error: result.error }),
    });
    return result;
  };
}

export function describeBot(bot: StoredBot, withSource: boolean): Record<string, unknown> {
  return {
    id: bot.id,
    account_id: bot.accountId,
    name: bot.name,
    active: bot.active,
    type_functionality: bot.typeFunctionality,
    widget_request_encoding: bot.widgetRequestEncoding ?? null,
    client_id: bot.integrationClientId ?? null,
    hand_added: bot.handAddedSteps,
    steps: bot.script.steps.size,
    ...(withSource ? { script: bot.source } : {}),
  };
}

export function describeRun(run: Run | undefined): Record<string, unknown> | null {
  if (!run) return null;
  return {
    id: run.id,
    bot_id: run.botId,
    bot_name: run.botName,
    status: run.status,
    position: run.position ?? null,
    blocks_entered: run.blocksEntered,
    waiting: run.waiting ?? null,
    json: run.json,
    started_at: run.startedAt,
    ended_at: run.endedAt ?? null,
    end_reason: run.endReason ?? null,
  };
}

/** A lead's chat for the control API and the chat page; `after` skips entries already seen. */
export function describeChat(
  salesbot: Salesbot,
  chat: Chat | undefined,
  accountId: number,
  leadId: number,
  after = 0,
) {
  const crm = salesbot.directory.crm(accountId);
  const lead = crm?.readLead(leadId);
  return {
    account_id: accountId,
    lead_id: leadId,
    lead: lead
      ? {
          id: lead.id,
          name: lead.name,
          status_id: lead.statusId,
          responsible_user_id: lead.responsibleUserId,
          stage: crm?.describeStage(leadId) ?? null,
          tags: lead.tags,
          fields: crm?.describeFields(leadId) ?? [],
          tasks: crm?.listTasks(leadId) ?? [],
          notes: crm?.listNotes(leadId) ?? [],
        }
      : null,
    origin: chat?.origin ?? salesbot.settings.defaultOrigin,
    contact_name: chat?.contactName ?? '',
    message_text: chat?.messageText ?? '',
    runs: chat?.runCount ?? 0,
    run: describeRun(chat?.run),
    entries: (chat?.entries ?? []).filter((entry) => entry.seq > after),
  };
}
