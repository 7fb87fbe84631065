// The Kommo core's data model. Shapes follow Kommo's API v4 field names where the API exposes them,
// so routes can render records without renaming.

export type AccountDomain = 'kommo.com' | 'amocrm.ru';
export type AccountLanguage = 'en' | 'pt' | 'es' | 'ru';

export type Integration = {
  client_id: string;
  client_secret: string;
  redirect_uri: string;
  /** "Hook on disabling the integration"; empty = none. */
  uninstall_hook_url: string;
  name: string;
};

export type KommoUser = {
  id: number;
  name: string;
  email: string;
  is_admin: boolean;
};

export type KommoAccount = {
  id: number;
  name: string;
  subdomain: string;
  domain: AccountDomain;
  /** `{subdomain}.{domain}`, e.g. `acme.kommo.com` (what Kommo sends as `referer`). */
  host: string;
  language: AccountLanguage;
  timezone: string;
  country: string;
  currency: string;
  /** The user who installs the integration and owns the tokens by default. */
  current_user_id: number;
  users: KommoUser[];
  amojo_id: string;
  created_at: number;
};

export type CustomFieldType =
  | 'text'
  | 'numeric'
  | 'checkbox'
  | 'select'
  | 'multiselect'
  | 'date'
  | 'url'
  | 'textarea'
  | 'radiobutton'
  | 'streetaddress'
  | 'smart_address'
  | 'birthday'
  | 'legal_entity'
  | 'date_time'
  | 'price'
  | 'category'
  | 'file'
  | 'tracking_data'
  | 'linked_entity'
  | 'monetary'
  | 'chained_list'
  | 'multitext';

export type CustomFieldEnum = { id: number; value: string; sort: number; code?: string | null };

export type CustomField = {
  id: number;
  name: string;
  type: CustomFieldType;
  code: string | null;
  sort: number;
  group_id: string | null;
  is_api_only: boolean;
  is_predefined: boolean;
  is_deletable: boolean;
  enums: CustomFieldEnum[] | null;
  required_statuses: { status_id: number; pipeline_id: number }[];
  entity_type: 'leads';
};

/** One stored value of a custom field (Kommo's `values[]` item). */
export type FieldValue = { value: string | number | boolean; enum_id?: number; enum_code?: string };

export type Tag = { id: number; name: string; color: string | null };

export type Lead = {
  id: number;
  name: string;
  price: number;
  responsible_user_id: number;
  status_id: number;
  pipeline_id: number;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  is_deleted: boolean;
  /** field id → values; a missing key means "no value". */
  fields: Record<string, FieldValue[]>;
  tag_ids: number[];
};

/** A lead stage (docs/kommo-contract.md §9.2). `type` 1 = the pipeline's "incoming leads" stage. */
export type PipelineStatus = {
  id: number;
  name: string;
  sort: number;
  is_editable: boolean;
  pipeline_id: number;
  color: string;
  type: 0 | 1;
};

/** A lead pipeline with its stages, including the system stages 142 (won) and 143 (lost). */
export type Pipeline = {
  id: number;
  name: string;
  sort: number;
  is_main: boolean;
  is_unsorted_on: boolean;
  is_archive: boolean;
  statuses: PipelineStatus[];
};

/** Kommo's system stages: the same ids in every pipeline (§9.2). */
export const STATUS_WON = 142;
export const STATUS_LOST = 143;

/** A task on a lead (docs/kommo-contract.md §9.4). Times are unix seconds. */
export type Task = {
  id: number;
  text: string;
  complete_till: number;
  duration: number;
  /** Kommo allows a task on no entity; the sandbox's entities are leads. */
  entity_id: number | null;
  entity_type: 'leads' | null;
  task_type_id: number;
  responsible_user_id: number;
  is_completed: boolean;
  result: { text: string } | null;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
};

export type TaskType = { id: number; name: string; code: string | null; color: string | null };

export type NoteType = 'common' | 'service_message' | 'extended_service_message';

export type Note = {
  id: number;
  entity_id: number;
  note_type: NoteType;
  params: Record<string, unknown>;
  created_by: number;
  created_at: number;
  updated_at: number;
};

export type AuthCode = {
  code: string;
  account_id: number;
  user_id: number;
  client_id: string;
  issued_at: number;
  expires_at: number;
  used: boolean;
  revoked: boolean;
};

export type AccessToken = {
  token: string;
  account_id: number;
  user_id: number;
  client_id: string;
  issued_at: number;
  expires_at: number;
  revoked: boolean;
};

export type RefreshToken = {
  token: string;
  account_id: number;
  user_id: number;
  client_id: string;
  issued_at: number;
  expires_at: number;
  revoked: boolean;
  /** Set once this token was exchanged; the token it rotated to. */
  rotated_to: string | null;
  /** Set once this token itself was exchanged for a new pair. */
  used_at: number | null;
};

export const RATE_LIMIT_SCOPES = ['account', 'ip', 'global'] as const;
export type RateLimitScope = (typeof RATE_LIMIT_SCOPES)[number];

/** Knobs for the facts the docs leave open (docs/kommo-contract.md names each one's default). */
export type KommoSettings = {
  oauth: {
    /** 'strict': a used refresh token dies at once. 'grace': it works until its successor is used. */
    refreshRotation: 'strict' | 'grace';
    accessTokenTtlSec: number;
    refreshTokenTtlSec: number;
    codeTtlSec: number;
  };
  rateLimit: {
    enabled: boolean;
    /**
     * Requests allowed per window per integration+account ('account'), per caller address
     * ('ip') or for everyone ('global').
     */
    scope: RateLimitScope;
    perWindow: number;
    windowMs: number;
    /** Seconds reported in a 429's retry_after; 0 = time until the window frees a slot. */
    retryAfterSec: number;
    /** This many 429s within violationWindowMs block the account (403) for blockMs. 0 = never. */
    violationsToBlock: number;
    violationWindowMs: number;
    blockMs: number;
  };
  fields: { textMaxLength: number; textareaMaxLength: number };
  /** Outbound calls (install webhook, uninstall hook): the time Kommo allows itself. */
  outboundTimeoutMs: number;
  webhooks: WebhookSettings;
};

export const BOT_MESSAGE_MODES = ['bot', 'owner', 'none'] as const;
export const OUTGOING_MESSAGE_EVENTS = ['add_outgoing_message', 'add_message', 'both'] as const;

/** Account webhooks (docs/kommo-contract.md §8.1, §8.4). */
export type WebhookSettings = {
  /**
   * How a salesbot's own chat message is reported (unknown on Kommo, §8.1.2): `bot` (default) as
   * `add_outgoing_message` with `author[type]=bot`; `owner` the same with `author[type]=internal`
   * and the installing user's `author[user_id]` (variant B, only the text tells it from a person);
   * `none`, no event.
   */
  botMessages: (typeof BOT_MESSAGE_MODES)[number];
  /**
   * Which event carries outgoing messages (a team member's, a bot's): `add_outgoing_message`
   * (default), `add_message` with `type=outgoing` (variant C, older accounts), or `both`.
   */
  outgoingMessages: (typeof OUTGOING_MESSAGE_EVENTS)[number];
  /** Real time the destination has to answer 100–299 (Kommo: 2 s). */
  timeoutMs: number;
  /** Sandbox time before retries 2, 3, 4, 5 (Kommo: 5 min, 15 min, 15 min, 1 h). */
  retryDelaysMs: number[];
  /** A webhook is disabled after more than this many bad answers within disableWindowMs. */
  disableAfterFailures: number;
  disableWindowMs: number;
  /** Webhooks per account (Kommo: 100). */
  maxPerAccount: number;
};

export const defaultKommoSettings = (): KommoSettings => ({
  oauth: {
    refreshRotation: 'strict',
    accessTokenTtlSec: 86_400,
    refreshTokenTtlSec: 90 * 86_400,
    codeTtlSec: 20 * 60,
  },
  rateLimit: {
    enabled: true,
    scope: 'account',
    perWindow: 7,
    windowMs: 1_000,
    retryAfterSec: 0,
    violationsToBlock: 3,
    violationWindowMs: 60_000,
    blockMs: 60_000,
  },
  fields: { textMaxLength: 256, textareaMaxLength: 65_535 },
  outboundTimeoutMs: 3_000,
  webhooks: {
    botMessages: 'bot',
    outgoingMessages: 'add_outgoing_message',
    timeoutMs: 2_000,
    retryDelaysMs: [5 * 60_000, 15 * 60_000, 15 * 60_000, 60 * 60_000],
    disableAfterFailures: 100,
    disableWindowMs: 2 * 60 * 60_000,
    maxPerAccount: 100,
  },
});
