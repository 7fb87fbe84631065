/**
 * What the salesbot engine needs from the rest of the sandbox. The engine only talks to these
 * interfaces, so it runs against a tiny in-memory fake in unit tests and against the Kommo core's
 * store in the sandbox (see `kommo-adapter.ts`).
 */
export type LeadSnapshot = {
  id: number;
  name: string;
  price: number;
  statusId: number | null;
  pipelineId: number | null;
  responsibleUserId: number | null;
  tags: string[];
  /** Custom field id → value as text (multi-values joined with ", "). */
  fields: Record<string, string>;
  contact: { id: number | null; name: string; firstName: string; lastName: string };
};

export type FieldView = { id: number; name: string; value: string; type?: string };

/** The lead's stage by name, for the chat page. */
export type StageView = { pipeline: string; status: string; statusId: number; color: string };

/** A task on the lead, for the chat page. */
export type TaskView = {
  id: number;
  text: string;
  /** Unix seconds. */
  completeTill: number;
  isCompleted: boolean;
  type: string;
  responsible: string;
};

export type AccountInfo = {
  id: number;
  subdomain: string;
  /** `https://{subdomain}.kommo.com`-style address, the `iss` of bot tokens. */
  url: string;
  /** Where the sandbox serves this account's API (the base of `return_url`). */
  apiBase: string;
};

export type Integration = { clientId: string; clientSecret: string };

/** One account's CRM data. Writes throw an `Error` whose message is shown in the transcript. */
export type SalesbotCrm = {
  readLead(leadId: number): LeadSnapshot | undefined;
  /** The lead's custom fields with their names, for the chat page. */
  describeFields(leadId: number): FieldView[];
  /** The lead's pipeline and status by name (null when they are unknown). */
  describeStage(leadId: number): StageView | null;
  /** The lead's tasks, soonest deadline first. */
  listTasks(leadId: number): TaskView[];
  /** The lead's notes (any author), oldest first. */
  listNotes(leadId: number): { id: number; type: string; text: string }[];
  createLead(name?: string): number;
  setField(leadId: number, fieldId: number, value: string): void;
  addTag(leadId: number, name: string): void;
  removeTag(leadId: number, name: string): void;
  addNote(leadId: number, text: string): void;
  setStatus(leadId: number, statusId: number, pipelineId?: number): void;
};

export type CrmDirectory = {
  account(accountId: number): AccountInfo | undefined;
  crm(accountId: number): SalesbotCrm | undefined;
  /** The integration whose client secret signs widget_request tokens (by client id, or any). */
  integration(accountId: number, clientId?: string): Integration | undefined;
};

export type PostResult =
  | { ok: true; status: number; body: string; elapsedMs: number }
  | { ok: false; error: string; elapsedMs: number };

export type HttpPoster = (
  url: string,
  body: { contentType: string; payload: string },
  timeoutMs: number,
) => Promise<PostResult>;

export type Clock = { now(): number; sleep(ms: number): Promise<void> };

export type SalesbotSettings = {
  /** How widget_request bodies are encoded unless the bot overrides it. */
  widgetRequestEncoding: 'json' | 'form';
  /**
   * What the "Send webhook" step posts: `observed` (default), the lead's id, stage and the account
   * only, as production handlers see it; `rich`, the lead with its filled custom fields and tags
   * (docs/kommo-contract.md §1).
   */
  webhookBody: WebhookBodyShape;
  /**
   * `follow` (default): a continue's `goto` runs, as Kommo documents for `execute_handlers`;
   * `ignore`: it is skipped and the bot goes on after its widget_request, so a test can show a
   * block does not depend on it (docs/kommo-contract.md §5.2).
   */
  continueGoto: ContinueGoto;
  /** Sandbox time a widget_request waits for `continue` before the bot gives up (404 after). */
  continueTimeoutMs: number;
  /** Sandbox time a wait_answer waits when the handler sets no timeout of its own. */
  waitAnswerTimeoutMs: number;
  /** Real time the receiver has to answer 200 (Kommo: 2 s). */
  ackTimeoutMs: number;
  /** Block entries one run may make before it is stopped as a loop. */
  stepBudget: number;
  /** What `{{origin}}` resolves to for chats that do not name a channel. */
  defaultOrigin: string;
  /**
   * `true` (default): only Kommo's documented handlers and params (plus the UI-only steps of a
   * bot's `hand_added` steps), as the designer's import takes them; an upload with anything else
   * gets 400 and such a run fails at once. `false`: every form the engine knows runs (editor
   * aliases, sandbox extensions). docs/kommo-contract.md §5.4, `strict.ts`.
   */
  strict: boolean;
  /**
   * Whether a team member's message in the chat stops the lead's running bot. `false` (default):
   * Kommo documents no such stop, only `POST /api/v4/bots/{id}/stop` (docs/kommo-contract.md §8.3).
   */
  stopOnTeamMessage: boolean;
};

export const CONTINUE_GOTO_MODES = ['follow', 'ignore'] as const;
export type ContinueGoto = (typeof CONTINUE_GOTO_MODES)[number];

export const WEBHOOK_BODY_SHAPES = ['observed', 'rich'] as const;
export type WebhookBodyShape = (typeof WEBHOOK_BODY_SHAPES)[number];

export const DEFAULT_SETTINGS: SalesbotSettings = {
  widgetRequestEncoding: 'json',
  webhookBody: 'observed',
  continueGoto: 'follow',
  continueTimeoutMs: 10 * 60_000,
  waitAnswerTimeoutMs: 24 * 60 * 60_000,
  ackTimeoutMs: 2_000,
  stepBudget: 500,
  defaultOrigin: 'sandbox_chat',
  strict: true,
  stopOnTeamMessage: false,
};
