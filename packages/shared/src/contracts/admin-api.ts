// What the admin API answers (apps/api/src/http/admin) and the panel (apps/admin) reads.
import { type ProviderSettingsView } from './provider-settings.js';
import { type StoredErrorClass } from './error-classes.js';
import { type WidgetField } from './widget-api.js';
import { type WidgetSessionResponse, type UsageSummary } from './widget-panel.js';

export type AdminRoleName = 'support' | 'admin';

/**
 * A request's life (apps/api docs/architecture.md): `queued` when acknowledged, `processing` while
 * a worker holds its lead, `answered` once the outcome is stored and must still reach Kommo, then
 * `done`, `failed` or `refused` (quota). `duplicate` and `rejected` rows are only logged.
 */
export const AI_REQUEST_STATUSES = [
  'queued',
  'processing',
  'answered',
  'done',
  'failed',
  'refused',
  'duplicate',
  'rejected',
] as const;
export type AiRequestStatus = (typeof AI_REQUEST_STATUSES)[number];

/** What any response may show of a panel user: never the password hash. */
export type AdminUserView = {
  id: string;
  email: string;
  role: AdminRoleName;
  createdAt: string;
  lastLoginAt: string | null;
  lockedUntil: string | null;
};

export type AdminRequestView = {
  id: string;
  installationId: string;
  subdomain: string;
  kommoAccountId: number;
  kind: string;
  mode: string;
  leadId: number | null;
  status: AiRequestStatus;
  provider: string | null;
  model: string | null;
  latencyMs: number | null;
  tokens: { input: number | null; output: number | null; total: number | null };
  errorClass: StoredErrorClass | null;
  errorMessage: string | null;
  logLine: string | null;
  attempts: number;
  receivedAt: string;
  finishedAt: string | null;
  replayOf: string | null;
  duplicateOf: string | null;
  /** When retention or a lead erase removed its texts (LOG line, error message, answer). */
  textsRemovedAt: string | null;
};

export type AccountListItem = {
  id: string;
  kommoAccountId: number;
  subdomain: string;
  host: string;
  status: WidgetSessionResponse['installationStatus'];
  plan: { id: string; name: string };
  monthlyRequestsOverride: number | null;
  leadDailyCap: number | null;
  usage: { month: string; used: number; allowance: number };
  lastRequestAt: string | null;
  /** Failed ÷ finished requests of the last 7 days; null when none finished. */
  errorRate: number | null;
  finished7d: number;
  failed7d: number;
  /**
   * Extra provider calls for requests of the last 7 days: a worker died after asking and before
   * the answer was stored, so the provider was asked (and may have charged) again. Usage counts
   * each request once regardless.
   */
  reAsks7d: number;
  /**
   * Requests of the last 7 days whose answer, after such a death, was read back from the
   * provider's conversation instead of asked again (not re-asks; OpenAI Conversations only).
   */
  recovered7d: number;
};

export type AccountDetail = AccountListItem & {
  language: string;
  timezone: string;
  installedAt: string | null;
  disabledAt: string | null;
  /** Kommo's uninstall hook came; the personal data goes UNINSTALL_PURGE_DAYS later. */
  uninstalledAt: string | null;
  /** When that purge ran (a reinstall clears both). */
  purgedAt: string | null;
  tokenHealth: {
    hasTokens: boolean;
    expiresAt: string | null;
    lastRefreshAt: string | null;
    authError: string | null;
    /** Whether the user who authorized the token is an account admin; null = not known. */
    userIsAdmin: boolean | null;
    /** What to do when the token is a non-admin's (see NON_ADMIN_TOKEN_NOTICE), else null. */
    notice: string | null;
  };
  fields: WidgetField[];
  webhookKinds: string[];
  provider: ProviderSettingsView;
  usageSummary: UsageSummary;
  recentRequests: AdminRequestView[];
};

export type AuditEntry = {
  id: string;
  at: string;
  actorUserId: string | null;
  actorEmail: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
};

export type QueueHealth = {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Age of the job that has waited longest; null when none waits. */
  oldestWaitingSeconds: number | null;
};

export type AdminPlan = { id: string; name: string; monthlyRequests: number; sort: number };

/** `POST /admin/api/accounts/:id/leads/:leadId/erase`. */
export type LeadEraseResult = {
  leadId: number;
  /** Requests of the lead whose texts were removed now. */
  requestsCleared: number;
  /** Of those, requests still waiting for an answer: ended `failed` (`erased`). */
  pendingEnded: number;
  /** Conversation memories (provider conversation ids, stored history) forgotten. */
  conversationsForgotten: number;
};
