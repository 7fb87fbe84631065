// What the widget's lead-card panel (Kommo location `lcard`, docs/kommo-contract.md §9.5) reads
// and sends: the AI's state for one lead with pause/resume (issue 22), and the lead's trace of AI
// requests with cost (issue 23). Every route is under the widget's X-Auth-Token and answers only
// for the token's account.
import { z } from 'zod';
import { type AiRequestStatus } from './admin-api.js';
import { type StoredErrorClass } from './error-classes.js';

/** Who paused the AI for a lead: a team member writing in its chat, or a button. */
export const LEAD_PAUSE_SOURCES = ['team_message', 'widget_button', 'admin_panel'] as const;
export type LeadPauseSource = (typeof LEAD_PAUSE_SOURCES)[number];

export type LeadPauseView = {
  source: LeadPauseSource;
  /** The Kommo user who wrote or pressed the button; null when the panel's staff paused it. */
  userId: number | null;
  userName: string | null;
  /** When the pause began (ISO), and when the person last wrote (ISO; = since for a button). */
  since: string;
  lastHumanAt: string;
  /** When the AI answers again by itself (ISO); null = only the resume button ends it. */
  resumesAt: string | null;
};

/** `GET /widget-api/leads/:leadId/ai-state`, and the answer of pause and resume. */
export type LeadAiState = {
  leadId: number;
  state: 'active' | 'paused';
  pause: LeadPauseView | null;
  /** The account's silence time after a person's last message (default 30). */
  silenceMinutes: number;
};

/** `POST /widget-api/leads/:leadId/pause`: absent minutes = until resumed by hand. */
export const LeadPauseInputSchema = z.object({
  minutes: z.number().int().min(1).max(10080).optional(),
});
export type LeadPauseInput = z.infer<typeof LeadPauseInputSchema>;
// `POST /widget-api/leads/:leadId/resume` takes no body and answers LeadAiState.

/** Why a request produced no customer message (the trace says it in the owner's words). */
export const SILENT_REASONS = [
  'quota',
  'cost_cap',
  'paused_by_person',
  'superseded_by_human',
  'coalesced',
  'provider_error',
  'duplicate',
  'field_missing',
  'rejected',
] as const;
export type SilentReason = (typeof SILENT_REASONS)[number];

/** What the extraction of a request wrote into the lead, skipped, and did (issue 23). */
export type LeadExtractionTrace = {
  profile: string;
  written: { fieldId: number; name: string; value: unknown }[];
  skipped: { name: string; value: unknown; reason: string }[];
  actions: { kind: 'move' | 'tag_add' | 'tag_remove' | 'task'; detail: string; ok: boolean }[];
};

/** One AI request of the lead, newest first in `GET /widget-api/leads/:leadId/requests`. */
export type LeadTraceItem = {
  id: string;
  receivedAt: string;
  kind: 'chatgpt' | 'assistant';
  mode: 'classic' | 'widget_block';
  status: AiRequestStatus;
  /** The prompt as sent; null when it never reached a provider or retention removed it. */
  prompt: { text: string | null; memoryMessages: number; media: string[] } | null;
  answer: string | null;
  extraction: LeadExtractionTrace | null;
  provider: string | null;
  model: string | null;
  latencyMs: number | null;
  tokens: { input: number | null; output: number | null; total: number | null };
  /** Estimated from the price table (apps/api, one file with its date and source). */
  costUsd: number | null;
  silentReason: SilentReason | null;
  errorClass: StoredErrorClass | null;
  errorMessage: string | null;
};

/** `?limit=&before=` of the lead's trace: at most 50 a page, `before` = a receivedAt (ISO). */
export const LeadTraceQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(20),
  before: z.string().datetime().optional(),
});
export type LeadTraceQuery = z.infer<typeof LeadTraceQuerySchema>;

export type LeadTraceResponse = { leadId: number; requests: LeadTraceItem[]; more: boolean };

/** `GET /admin/accounts/:id/pauses`: the account's leads where the AI is paused now. */
export type AdminLeadPause = LeadPauseView & { leadId: number };
