// What the lead-card panel says, as pure functions of the API's answers: the silent reasons in
// the owner's words, who paused the AI and when it comes back, cost, tokens and latency.
import {
  type AiRequestStatus,
  type LeadPauseView,
  type LeadTraceItem,
  type SilentReason,
} from '@gpt-bridge/shared';
import { type MessageKey } from '../i18n/messages-en';
import { type Language, type Translate } from '../i18n/translate';

/** Kommo's limit for a pause from the card: one week (LeadPauseInputSchema). */
export const MAX_PAUSE_MINUTES = 10_080;

const SILENT_REASON_KEYS: Record<SilentReason, MessageKey> = {
  quota: 'silentQuota',
  cost_cap: 'silentCostCap',
  paused_by_person: 'silentPausedByPerson',
  superseded_by_human: 'silentSupersededByHuman',
  coalesced: 'silentCoalesced',
  provider_error: 'silentProviderError',
  duplicate: 'silentDuplicate',
  field_missing: 'silentFieldMissing',
  rejected: 'silentRejected',
};

const STATUS_KEYS: Record<AiRequestStatus, MessageKey> = {
  queued: 'traceStatusQueued',
  processing: 'traceStatusProcessing',
  answered: 'traceStatusAnswered',
  done: 'traceStatusDone',
  failed: 'traceStatusFailed',
  refused: 'traceStatusRefused',
  duplicate: 'traceStatusDuplicate',
  rejected: 'traceStatusRejected',
};

/** Why a request produced no customer message, in plain words; null when it was not silent. */
export function silentReasonText(t: Translate, reason: SilentReason | null): string | null {
  return reason === null ? null : t(SILENT_REASON_KEYS[reason]);
}

export function statusText(t: Translate, status: AiRequestStatus): string {
  return t(STATUS_KEYS[status]);
}

/** "ChatGPT webhook · classic template". */
export function webhookText(t: Translate, item: Pick<LeadTraceItem, 'kind' | 'mode'>): string {
  const kind = t(item.kind === 'chatgpt' ? 'traceKindChatgpt' : 'traceKindAssistant');
  const mode = t(item.mode === 'classic' ? 'traceModeClassic' : 'traceModeBlock');
  return `${kind} · ${mode}`;
}

/**
 * Who paused the AI: "you" for the person looking at the card, else the name from Kommo, else
 * the Kommo user id, else "a team member".
 */
export function pausedByText(
  t: Translate,
  pause: LeadPauseView,
  viewerId: number | null = null,
): string {
  const you = viewerId !== null && pause.userId === viewerId;
  if (you && pause.source === 'team_message') return t('lcardPausedByYouTeam');
  if (you && pause.source === 'widget_button') return t('lcardPausedByYouButton');
  const name =
    pause.userName?.trim() || (pause.userId !== null ? `#${pause.userId}` : t('lcardSomeone'));
  switch (pause.source) {
    case 'team_message':
      return t('lcardPausedByTeam', { name });
    case 'widget_button':
      return t('lcardPausedByButton', { name });
    case 'admin_panel':
      return t('lcardPausedBySupport');
  }
}

/**
 * A span as people say it: the nearest whole minute, at least one (a fresh 45-minute pause reads
 * "45 min" though the server's clock is a few ms ahead of the browser's), then hours and
 * minutes, then days and hours.
 */
export function durationText(t: Translate, ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return t('durationMinutes', { m: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const m = minutes % 60;
    return m === 0 ? t('durationHours', { h: hours }) : t('durationHoursMinutes', { h: hours, m });
  }
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return h === 0 ? t('durationDays', { d: days }) : t('durationDaysHours', { d: days, h });
}

export type TimeOptions = { lang: Language; now: Date; timeZone?: string };

/** The time alone for today, else the short date and time, in the person's language. */
export function timeText(iso: string, { lang, now, timeZone }: TimeOptions): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const day = (d: Date) =>
    new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' }).format(d);
  const sameDay = day(date) === day(now);
  return new Intl.DateTimeFormat(lang, {
    timeZone,
    ...(sameDay ? { timeStyle: 'short' } : { dateStyle: 'short', timeStyle: 'short' }),
  }).format(date);
}

/** When the AI comes back: by itself in how long (and at what time), or only by hand. */
export function resumeText(t: Translate, pause: LeadPauseView, options: TimeOptions): string {
  if (pause.resumesAt === null) return t('lcardUntilResumed');
  const left = new Date(pause.resumesAt).getTime() - options.now.getTime();
  if (!(left > 0)) return t('lcardResumesNow');
  return t('lcardResumesIn', {
    duration: durationText(t, left),
    time: timeText(pause.resumesAt, options),
  });
}

/**
 * An estimated cost in US dollars in the person's number format: two significant digits below
 * a dollar (a request often costs a fraction of a cent, `$0.00042`), cents above.
 */
export function costText(usd: number | null, lang: Language): string | null {
  if (usd === null || !Number.isFinite(usd) || usd < 0) return null;
  const small = usd < 1;
  return new Intl.NumberFormat(lang, {
    style: 'currency',
    currency: 'USD',
    ...(usd === 0
      ? { minimumFractionDigits: 2, maximumFractionDigits: 2 }
      : small
        ? { maximumSignificantDigits: 2 }
        : { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  }).format(usd);
}

/** `820 ms`, `1.4 s`, `12 s`. */
export function latencyText(ms: number | null, lang: Language): string | null {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return null;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  const digits = seconds < 10 ? 1 : 0;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(seconds)} s`;
}

/** "312 tokens (280 in, 32 out)", or the total alone when the split is unknown. */
export function tokensText(
  t: Translate,
  tokens: LeadTraceItem['tokens'],
  lang: Language,
): string | null {
  const number = new Intl.NumberFormat(lang);
  const total =
    tokens.total ??
    (tokens.input !== null && tokens.output !== null ? tokens.input + tokens.output : null);
  if (total === null) return null;
  if (tokens.input === null || tokens.output === null) {
    return t('traceTokensTotal', { total: number.format(total) });
  }
  return t('traceTokens', {
    total: number.format(total),
    input: number.format(tokens.input),
    output: number.format(tokens.output),
  });
}

/** An extracted value as one short line: lists joined, objects as JSON, at most 120 characters. */
export function valueText(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) text = '—';
  else if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else if (Array.isArray(value)) text = value.map(valueText).join(', ');
  else text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/** The minutes typed for a pause: a whole number from 1 to a week, else null. */
export function parsePauseMinutes(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) return null;
  const minutes = Number(trimmed);
  return minutes >= 1 && minutes <= MAX_PAUSE_MINUTES ? minutes : null;
}

/**
 * What to say where the prompt would be: the provider never got it (no provider on the
 * request), or retention removed its text since.
 */
export function promptNote(
  item: Pick<LeadTraceItem, 'prompt' | 'provider'>,
): 'tracePromptNone' | 'tracePromptRemoved' | null {
  if (item.prompt !== null) return item.prompt.text === null ? 'tracePromptRemoved' : null;
  return item.provider === null ? 'tracePromptNone' : 'tracePromptRemoved';
}

/** The trace pages shown so far, and whether the API has older ones. */
export type TracePages = { items: LeadTraceItem[]; more: boolean };

/**
 * The next page (`before` = the oldest shown entry's time) after the shown ones, without any
 * entry already shown, in case the API's page boundary repeats one.
 */
export function appendTracePage(
  shown: TracePages,
  page: { requests: LeadTraceItem[]; more: boolean },
): TracePages {
  const seen = new Set(shown.items.map((item) => item.id));
  return {
    items: [...shown.items, ...page.requests.filter((item) => !seen.has(item.id))],
    more: page.more,
  };
}

/** Our provider routes (apps/api provider.types.ts) by the names the owner chose them under. */
const PROVIDER_NAMES: Record<string, string> = {
  openai_chat: 'OpenAI',
  openai_responses: 'OpenAI',
  openai_compatible: 'OpenAI-compatible',
  dify: 'Dify',
  chatbase: 'Chatbase',
};

export function providerText(provider: string | null): string | null {
  if (provider === null) return null;
  return Object.hasOwn(PROVIDER_NAMES, provider)
    ? (PROVIDER_NAMES[provider] ?? provider)
    : provider;
}
