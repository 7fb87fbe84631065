import { type AiState, type TextMessage } from './state.js';

export type IntentRule = {
  /** Case-insensitive substrings; any one matching selects the rule. */
  keywords?: string[];
  /** A regular expression source (flags default to `i`). */
  pattern?: string;
  flags?: string;
  answer: string;
};

export type AnswerMode =
  | { mode: 'echo' }
  | { mode: 'fixed'; text: string }
  | {
      mode: 'intent';
      rules: IntentRule[];
      default?: string;
      /** `last_user` (default) matches the latest user message, `prompt` all text incl. instructions. */
      matchOn?: 'last_user' | 'prompt';
    };

/**
 * What the fake OpenAI "extracts" when a request asks for structured output (a JSON schema or
 * JSON mode). The first rule matching the text gives its `json` object (sent as it is, even when
 * it does not fit the schema, so tests can feed the product values it must refuse) or a
 * `refusal`; else `default`; else a value built from the schema. Text answers ignore it.
 */
export type StructuredRule = {
  keywords?: string[];
  pattern?: string;
  flags?: string;
  json?: Record<string, unknown>;
  refusal?: string;
};

export type StructuredMode = {
  rules?: StructuredRule[];
  default?: Record<string, unknown>;
  /** `last_user` (default) matches the latest user message, `prompt` all text incl. instructions. */
  matchOn?: 'last_user' | 'prompt';
};

export const failureKinds = [
  'rate_limit',
  'insufficient_quota',
  'invalid_api_key',
  'model_not_found',
  'server_error',
  'overloaded',
  'hang',
  'provider_quota_exceeded',
  'app_unavailable',
  'credits_exhausted',
  'agent_credits_exhausted',
  'custom',
] as const;

export type FailureKind = (typeof failureKinds)[number];

export type Failure = {
  kind: FailureKind;
  /** 429s: seconds for `Retry-After` (default 1; 0 leaves the header out). */
  retryAfterSeconds?: number;
  /** Overrides the provider's error code (e.g. OpenAI's `credit_balance_exhausted`). */
  code?: string;
  message?: string;
  /** Overrides the HTTP status; required for `custom`. */
  status?: number;
  /** `custom` only: the exact body to send. */
  body?: unknown;
  headers?: Record<string, string>;
};

/** What a key, agent/app id, provider name or `*` is scripted to do. Every field is optional. */
export type Script = {
  answer?: AnswerMode;
  structured?: StructuredMode;
  latencyMs?: number;
  failures: Failure[];
  /** Audio transcriptions: a transcript per uploaded file name, then a catch-all. */
  transcripts?: Record<string, string>;
  transcript?: string;
};

export type ResolvedScript = {
  answer: AnswerMode;
  structured: StructuredMode | undefined;
  latencyMs: number;
  transcriptFor(fileName: string): string;
  /** Takes the next queued failure (from the most specific script that has one). */
  takeFailure(): Failure | undefined;
};

/**
 * Resolves the script for a call. `ids` go from most to least specific (agent/app id, key);
 * the provider name and `*` are appended. Each field comes from the first script that sets it.
 */
export function resolveScript(state: AiState, provider: string, ids: string[]): ResolvedScript {
  const chain = [...ids, provider, '*']
    .map((id) => state.scripts.get(id))
    .filter((script): script is Script => script !== undefined);
  const pick = <K extends keyof Script>(field: K): Script[K] | undefined =>
    chain.find((script) => script[field] !== undefined)?.[field];
  return {
    answer: pick('answer') ?? { mode: 'echo' },
    structured: pick('structured'),
    latencyMs: pick('latencyMs') ?? 0,
    transcriptFor(fileName) {
      for (const script of chain) {
        const own = script.transcripts?.[fileName];
        if (own !== undefined) return own;
      }
      return pick('transcript') ?? `Transcript of ${fileName}`;
    },
    takeFailure() {
      return chain.find((script) => script.failures.length > 0)?.failures.shift();
    },
  };
}

/** Expands `{ ...failure, times: n }` into n queue entries. */
export function expandFailures(failures: (Failure & { times?: number })[]): Failure[] {
  return failures.flatMap(({ times, ...failure }) =>
    Array.from({ length: Math.max(1, times ?? 1) }, () => ({ ...failure })),
  );
}

/**
 * Computes the deterministic answer for a conversation. `messages` holds the whole effective
 * history (earlier turns + this request), so follow-up turns can show they remember.
 */
export function composeAnswer(mode: AnswerMode, messages: TextMessage[]): string {
  const users = messages.filter((message) => message.role === 'user');
  const last = users.at(-1);
  const lastText = last?.text ?? '';
  const previous = users.at(-2)?.text ?? '';
  const turn = users.length;
  const fill = (template: string) =>
    template
      .replaceAll('{{last}}', lastText)
      .replaceAll('{{previous}}', previous)
      .replaceAll('{{turn}}', String(turn));
  switch (mode.mode) {
    case 'echo': {
      const images = last && last.images > 0 ? ` [images: ${last.images}]` : '';
      const memory = turn > 1 ? ` (turn ${turn}, previous: ${previous})` : '';
      return `Echo: ${lastText}${images}${memory}`;
    }
    case 'fixed':
      return fill(mode.text);
    case 'intent': {
      const haystack =
        mode.matchOn === 'prompt' ? messages.map((message) => message.text).join('\n') : lastText;
      const rule = mode.rules.find((candidate) => ruleMatches(candidate, haystack));
      return fill(rule?.answer ?? mode.default ?? '#General');
    }
  }
}

export function ruleMatches(
  rule: Pick<IntentRule, 'keywords' | 'pattern' | 'flags'>,
  text: string,
): boolean {
  const lower = text.toLowerCase();
  if (rule.keywords?.some((keyword) => lower.includes(keyword.toLowerCase()))) return true;
  return rule.pattern !== undefined && new RegExp(rule.pattern, rule.flags ?? 'i').test(text);
}

/** A rough, deterministic token count (≈4 characters per token). */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
