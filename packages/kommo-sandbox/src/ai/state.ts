import { type SandboxClock } from '../clock.js';
import { type Script } from './script.js';
import { type StructuredRecord } from './structured.js';
import { type ValidationResult } from './spec-validator.js';

export type ProviderName = 'openai' | 'dify' | 'chatbase';

/** One turn of text as the fakes see it (images are only counted). */
export type TextMessage = { role: string; text: string; images: number };

export type CallRecord = {
  id: number;
  provider: ProviderName;
  /** e.g. `chat.completions`, `responses`, `dify.chat-messages`, `chatbase.v2.chat`. */
  endpoint: string;
  method: string;
  path: string;
  key: string | null;
  body: unknown;
  /** Result of validating the body against OpenAI's spec (null for non-OpenAI calls). */
  validation: ValidationResult | null;
  /** Virtual time (sandbox clock) when the call arrived, ms since the epoch. */
  at: number;
  status: number | null;
  outcome: 'pending' | 'ok' | 'error' | 'hang';
  /** Scripted failure kind that was served, if any. */
  failure: string | null;
  answer: string | null;
  /** OpenAI structured outputs: what was asked and what the fake sent (null otherwise). */
  structured: StructuredRecord | null;
};

export type AiConfig = {
  /** Keys starting with these prefixes are valid without registration (demo convenience). */
  keyPrefixes: Record<ProviderName, string>;
  /** Chatbase agent/chatbot ids starting with this prefix exist without registration. */
  chatbaseAgentPrefix: string;
  chatModels: string[];
  transcriptionModels: string[];
  /**
   * `output_text` on a Responses object is an SDK-side convenience, not sent by OpenAI; off by
   * default so a raw-HTTP client that relies on it fails here as it would in production.
   */
  responsesOutputText: boolean;
};

export function defaultAiConfig(): AiConfig {
  return {
    keyPrefixes: { openai: 'sk-test-', dify: 'app-test-', chatbase: 'cb-test-' },
    chatbaseAgentPrefix: 'agent-',
    chatModels: [
      'gpt-6-luna',
      'gpt-4o-mini',
      'gpt-4o',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
    ],
    transcriptionModels: ['whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe'],
    responsesOutputText: false,
  };
}

export type OpenAiItem = {
  id: string;
  type: 'message';
  status: 'completed' | 'incomplete';
  role: string;
  /** `output_text`/`input_text` parts carry `text`; a `refusal` part carries `refusal`. */
  content: (
    | { type: string; text: string; annotations?: unknown[]; logprobs?: unknown[] }
    | { type: 'refusal'; refusal: string }
  )[];
};

export type OpenAiConversation = {
  id: string;
  createdAt: number;
  metadata: Record<string, string>;
  items: OpenAiItem[];
};

export type ServerConversation = {
  id: string;
  /** Dify: the app key; Chatbase: the agent id. Conversations are not shared across them. */
  owner: string;
  user: string | null;
  turns: TextMessage[];
};

/** All mutable state of the fake AI providers of one sandbox instance. */
export class AiState {
  config = defaultAiConfig();
  keys = new Set<string>();
  revokedKeys = new Set<string>();
  agents = new Set<string>();
  scripts = new Map<string, Script>();
  calls: CallRecord[] = [];
  openAiConversations = new Map<string, OpenAiConversation>();
  /** Stored responses (input + output items) for `previous_response_id` chains. */
  openAiResponses = new Map<string, OpenAiItem[]>();
  difyConversations = new Map<string, ServerConversation>();
  chatbaseConversations = new Map<string, ServerConversation>();
  /** Releases for requests scripted to hang; called when the server closes. */
  hung = new Set<() => void>();
  /** Settles when the server starts closing, so calls sleeping out a scripted latency stop too. */
  readonly closing: Promise<void>;
  private markClosing!: () => void;
  private counter = 0;

  constructor(readonly clock: SandboxClock) {
    this.closing = new Promise((resolve) => (this.markClosing = resolve));
  }

  shutdown(): void {
    this.markClosing();
    this.releaseHung();
  }

  /** Deterministic ids: the n-th id of a sandbox is the same in every run. */
  nextId(prefix: string, width = 24): string {
    this.counter += 1;
    return `${prefix}${this.counter.toString(16).padStart(width, '0')}`;
  }

  nextUuid(): string {
    this.counter += 1;
    return `00000000-0000-4000-8000-${this.counter.toString(16).padStart(12, '0')}`;
  }

  isKeyValid(provider: ProviderName, key: string | undefined): boolean {
    if (!key || this.revokedKeys.has(key)) return false;
    return this.keys.has(key) || key.startsWith(this.config.keyPrefixes[provider]);
  }

  agentExists(agentId: string): boolean {
    return this.agents.has(agentId) || agentId.startsWith(this.config.chatbaseAgentPrefix);
  }

  record(
    call: Omit<
      CallRecord,
      'id' | 'at' | 'status' | 'outcome' | 'failure' | 'answer' | 'structured'
    >,
  ) {
    const entry: CallRecord = {
      ...call,
      id: this.calls.length + 1,
      at: this.clock.now(),
      status: null,
      outcome: 'pending',
      failure: null,
      answer: null,
      structured: null,
    };
    this.calls.push(entry);
    return entry;
  }

  releaseHung(): void {
    for (const release of [...this.hung]) release();
    this.hung.clear();
  }

  reset(): void {
    this.releaseHung();
    this.config = defaultAiConfig();
    this.keys.clear();
    this.revokedKeys.clear();
    this.agents.clear();
    this.scripts.clear();
    this.calls = [];
    this.openAiConversations.clear();
    this.openAiResponses.clear();
    this.difyConversations.clear();
    this.chatbaseConversations.clear();
  }
}
