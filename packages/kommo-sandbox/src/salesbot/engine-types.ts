import { type BlockRef, type BotScript, type Handler } from './bot-schema.js';
import { type EntryKind, type TranscriptEntry } from './chats.js';
import { type ContinueRegistry } from './continue.js';
import {
  type AccountInfo,
  type Clock,
  type CrmDirectory,
  type HttpPoster,
  type SalesbotCrm,
  type SalesbotSettings,
} from './ports.js';

export type RunStatus =
  | 'running'
  | 'paused'
  | 'waiting_answer'
  | 'waiting_continue'
  | 'finished'
  | 'stopped'
  | 'failed'
  | 'expired';

export type EndStatus = 'finished' | 'stopped' | 'failed' | 'expired';

export const ACTIVE_STATUSES: ReadonlySet<RunStatus> = new Set([
  'running',
  'paused',
  'waiting_answer',
  'waiting_continue',
]);

export type Waiting = {
  kind: 'answer' | 'pause' | 'continue';
  /** Sandbox time when the wait gives up (or the pause ends). */
  until: number;
  continueId?: string;
};

/** One execution of a bot on one lead. */
export type Run = {
  id: number;
  accountId: number;
  leadId: number;
  botId: number;
  botName: string;
  script: BotScript;
  encoding: 'json' | 'form' | undefined;
  integrationClientId: string | undefined;
  status: RunStatus;
  position: BlockRef | undefined;
  blocksEntered: number;
  /** `data` of the last continue (`{{json.*}}`). */
  json: Record<string, unknown>;
  startedAt: number;
  endedAt: number | undefined;
  endReason: string | undefined;
  waiting: Waiting | undefined;
  inErrorBranch: boolean;
  cancelled: boolean;
  /** Settles when the run is stopped from outside, so pending waits can bail out. */
  cancelSignal: Promise<void>;
  cancel: () => void;
};

/** What a handler tells the engine to do next. */
export type Flow =
  | { type: 'next' }
  | { type: 'goto'; target: BlockRef }
  | { type: 'end'; status: EndStatus; reason: string; startBot?: number };

export const NEXT: Flow = { type: 'next' };

/** Thrown out of a wait when its run was stopped; the engine drops the run silently. */
export class RunCancelled extends Error {}

export type HandlerContext = {
  run: Run;
  account: AccountInfo;
  crm: SalesbotCrm;
  directory: CrmDirectory;
  settings: SalesbotSettings;
  clock: Clock;
  http: HttpPoster;
  continues: ContinueRegistry;
  publicUrl: () => string;
  render: (template: unknown) => string;
  renderDeep: (value: unknown) => unknown;
  renderTerm: (term: unknown) => string;
  record: (
    kind: EntryKind,
    text: string,
    extra?: Pick<TranscriptEntry, 'buttons' | 'detail'>,
  ) => TranscriptEntry;
  runHandlers: (list: Handler[]) => Promise<Flow>;
  /** Awaits `promise` unless the run is stopped first (then throws `RunCancelled`). */
  guard: <T>(promise: Promise<T>) => Promise<T>;
  /** Resolves with the next customer message of this lead's chat. */
  nextMessage: () => { promise: Promise<string>; cancel: () => void };
  setWaiting: (waiting: Waiting | undefined) => void;
};

export type HandlerFn = (ctx: HandlerContext, params: unknown) => Promise<Flow> | Flow;
