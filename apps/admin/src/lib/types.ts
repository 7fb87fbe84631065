// What the admin API answers (apps/api/src/modules/admin/*.service.ts); types only.
export type Role = 'support' | 'admin';

export type AdminUser = {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
  lastLoginAt: string | null;
  lockedUntil: string | null;
};

export type UsageDay = { day: string; chatgpt: number; assistant: number; total: number };

export type Account = {
  id: string;
  kommoAccountId: number;
  subdomain: string;
  host: string;
  status: 'pending' | 'active' | 'auth_failed' | 'disabled';
  plan: { id: string; name: string };
  monthlyRequestsOverride: number | null;
  leadDailyCap: number | null;
  usage: { month: string; used: number; allowance: number };
  lastRequestAt: string | null;
  errorRate: number | null;
  finished7d: number;
  failed7d: number;
};

export type MaskedKey = { set: boolean; hint: string | null };

export type AccountDetail = Account & {
  language: string;
  timezone: string;
  installedAt: string | null;
  disabledAt: string | null;
  tokenHealth: {
    hasTokens: boolean;
    expiresAt: string | null;
    lastRefreshAt: string | null;
    authError: string | null;
  };
  fields: { key: string; kommoFieldId: number; code: string; name: string; type: string }[];
  webhookKinds: string[];
  provider: {
    openaiApiKey: MaskedKey;
    assistant: {
      provider: string;
      apiKey: MaskedKey;
      model: string | null;
      baseUrl: string | null;
    };
  };
  usageSummary: {
    month: string;
    allowance: number;
    used: number;
    remaining: number;
    byDay: UsageDay[];
  };
  recentRequests: RequestView[];
};

export type RequestView = {
  id: string;
  installationId: string;
  subdomain: string;
  kommoAccountId: number;
  kind: string;
  mode: string;
  leadId: number | null;
  status: string;
  provider: string | null;
  model: string | null;
  latencyMs: number | null;
  tokens: { input: number | null; output: number | null; total: number | null };
  errorClass: string | null;
  errorMessage: string | null;
  logLine: string | null;
  attempts: number;
  receivedAt: string;
  finishedAt: string | null;
  replayOf: string | null;
  duplicateOf: string | null;
};

export type Plan = { id: string; name: string; monthlyRequests: number };

export type AuditEntry = {
  id: string;
  at: string;
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
  oldestWaitingSeconds: number | null;
};
