import { type Handler } from './bot-schema.js';
import { type Chat, type ChatStore } from './chats.js';
import { type ContinueRegistry } from './continue.js';
import {
  type Flow,
  type HandlerContext,
  type Run,
  RunCancelled,
  type RunStatus,
} from './engine-types.js';
import { renderDeep, renderTemplate, renderTerm, type PlaceholderScope } from './placeholders.js';
import {
  type AccountInfo,
  type Clock,
  type CrmDirectory,
  type HttpPoster,
  type LeadSnapshot,
  type SalesbotCrm,
  type SalesbotSettings,
} from './ports.js';

export type ContextDeps = {
  clock: Clock;
  directory: CrmDirectory;
  http: HttpPoster;
  settings: SalesbotSettings;
  chats: ChatStore;
  continues: ContinueRegistry;
  publicUrl: () => string;
  runHandlers: (ctx: HandlerContext, list: Handler[]) => Promise<Flow>;
};

const WAIT_STATUS: Record<'answer' | 'pause' | 'continue', RunStatus> = {
  answer: 'waiting_answer',
  pause: 'paused',
  continue: 'waiting_continue',
};

/** What handlers see of a run: placeholders, the transcript, waits that end when the run stops. */
export function createRunContext(
  deps: ContextDeps,
  chat: Chat,
  run: Run,
  account: AccountInfo,
  crm: SalesbotCrm,
): HandlerContext {
  const { clock, chats } = deps;
  const scope = (): PlaceholderScope => ({
    lead: withContact(crm.readLead(run.leadId), chat.contactName),
    account,
    botId: run.botId,
    messageText: chat.messageText,
    json: run.json,
    origin: chat.origin,
    now: clock.now(),
  });
  const ctx: HandlerContext = {
    run,
    account,
    crm,
    directory: deps.directory,
    settings: deps.settings,
    clock,
    http: deps.http,
    continues: deps.continues,
    publicUrl: deps.publicUrl,
    render: (template) => renderTemplate(asText(template), scope()),
    renderDeep: (value) => renderDeep(value, scope()),
    renderTerm: (term) => renderTerm(term, scope()),
    record: (kind, text, extra) =>
      chats.append(chat, {
        at: clock.now(),
        kind,
        text,
        runId: run.id,
        botId: run.botId,
        ...extra,
      }),
    runHandlers: (list) => deps.runHandlers(ctx, list),
    guard: async <T>(promise: Promise<T>): Promise<T> => {
      const winner = await Promise.race([
        promise.then((value) => ({ value })),
        run.cancelSignal.then(() => undefined),
      ]);
      if (!winner || run.cancelled) throw new RunCancelled();
      return winner.value;
    },
    nextMessage: () => {
      let listener: (text: string) => void = () => undefined;
      const promise = new Promise<string>((resolve) => {
        listener = resolve;
        chat.messageListeners.add(listener);
      });
      return { promise, cancel: () => chat.messageListeners.delete(listener) };
    },
    setWaiting: (waiting) => {
      run.waiting = waiting;
      run.status = waiting ? WAIT_STATUS[waiting.kind] : 'running';
    },
  };
  return ctx;
}

function withContact(lead: LeadSnapshot | undefined, name: string): LeadSnapshot | undefined {
  if (!lead || name === '' || lead.contact.name !== '') return lead;
  const [firstName = '', ...rest] = name.split(' ');
  return { ...lead, contact: { ...lead.contact, name, firstName, lastName: rest.join(' ') } };
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
