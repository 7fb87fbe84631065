import { type Handler, isRecord } from './bot-schema.js';

/** What a valid `POST /api/v4/salesbot/{bot_id}/continue/{continue_id}` hands to the waiting bot. */
export type ContinuePayload = { data: Record<string, unknown>; handlers: Handler[] };

export type PendingContinue = {
  id: string;
  accountId: number;
  botId: number;
  runId: number;
  leadId: number;
  expiresAt: number;
  settle: (payload: ContinuePayload) => void;
};

export type ValidationError = { code: string; path: string; detail: string };

// Kommo's documented limits for execute_handlers.
export const MAX_HANDLERS = 10;
export const MAX_SHOW_CHARS = 80;
export const MAX_BUTTONS = 25;
// A field report says continue runs only these two; the sandbox refuses the rest loudly.
const CONTINUE_HANDLERS = new Set(['show', 'goto']);

/** Open widget_request waits, one per continue id. A continue can be used once. */
export class ContinueRegistry {
  private pending = new Map<string, PendingContinue>();
  private nextId = 1;

  open(entry: Omit<PendingContinue, 'id' | 'settle'>): {
    id: string;
    payload: Promise<ContinuePayload>;
  } {
    const id = String(this.nextId++);
    const payload = new Promise<ContinuePayload>((resolve) => {
      this.pending.set(id, { ...entry, id, settle: resolve });
    });
    return { id, payload };
  }

  /** The live record for this account and bot, or undefined (unknown, used, expired). */
  find(
    accountId: number,
    botId: number,
    continueId: string,
    now: number,
  ): PendingContinue | undefined {
    const entry = this.pending.get(continueId);
    if (!entry || entry.accountId !== accountId || entry.botId !== botId) return undefined;
    if (now >= entry.expiresAt) {
      this.pending.delete(continueId);
      return undefined;
    }
    return entry;
  }

  /** Hands the payload to the bot and forgets the record, so a second call gets 404. */
  use(entry: PendingContinue, payload: ContinuePayload): void {
    this.pending.delete(entry.id);
    entry.settle(payload);
  }

  close(continueId: string): void {
    this.pending.delete(continueId);
  }
}

/** Checks a continue body against Kommo's limits; the errors use its validation-errors shape. */
export function validateContinueBody(
  body: unknown,
): { ok: true; payload: ContinuePayload } | { ok: false; errors: ValidationError[] } {
  if (!isRecord(body)) {
    return fail('InvalidType', '', 'Request body must be a JSON object');
  }
  const data = body.data ?? {};
  if (!isRecord(data)) return fail('InvalidType', 'data', 'data must be an object');
  const raw = body.execute_handlers;
  if (raw !== undefined && !Array.isArray(raw)) {
    return fail('InvalidType', 'execute_handlers', 'execute_handlers must be an array');
  }
  const list: unknown[] = raw ?? [];
  if (list.length === 0) {
    return fail('NotBlank', 'execute_handlers', 'execute_handlers needs at least one handler');
  }
  if (list.length > MAX_HANDLERS) {
    return fail('TooLong', 'execute_handlers', `No more than ${MAX_HANDLERS} handlers allowed`);
  }
  const errors: ValidationError[] = [];
  const handlers: Handler[] = [];
  let buttons = 0;
  list.forEach((item, index) => {
    const path = `execute_handlers.${index}`;
    if (!isRecord(item) || typeof item.handler !== 'string') {
      errors.push({ code: 'InvalidType', path, detail: 'A handler is an object with "handler"' });
      return;
    }
    if (!CONTINUE_HANDLERS.has(item.handler)) {
      errors.push({
        code: 'NotSupportedChoice',
        path: `${path}.handler`,
        detail: `Handler "${item.handler}" is not supported here (show, goto)`,
      });
      return;
    }
    const params = isRecord(item.params) ? item.params : {};
    if (item.handler === 'show') {
      const value = typeof params.value === 'string' ? params.value : '';
      if ([...value].length > MAX_SHOW_CHARS) {
        errors.push({
          code: 'TooLong',
          path: `${path}.params.value`,
          detail: `This value is too long. It should have ${MAX_SHOW_CHARS} characters or less.`,
        });
      }
      if (Array.isArray(params.buttons)) buttons += params.buttons.length;
    }
    handlers.push({ handler: item.handler, params: item.params });
  });
  if (buttons > MAX_BUTTONS) {
    errors.push({
      code: 'TooLong',
      path: 'execute_handlers',
      detail: `No more than ${MAX_BUTTONS} buttons allowed`,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, payload: { data, handlers } };
}

function fail(
  code: string,
  path: string,
  detail: string,
): { ok: false; errors: ValidationError[] } {
  return { ok: false, errors: [{ code, path, detail }] };
}
