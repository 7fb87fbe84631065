/** What an unknown model may produce: gpt-4o-mini's cap, the lowest of the current defaults. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 16_384;

// First match wins, so more specific prefixes come first. Sources: docs/ai-providers.md §1.6.
const OUTPUT_LIMITS: readonly [RegExp, number][] = [
  [/^gpt-4o-mini/, 16_384],
  [/^gpt-4o/, 16_384],
  [/^gpt-4\.1/, 32_768],
  [/^gpt-5/, 128_000],
  [/^gpt-6-luna/, 128_000],
  [/^o\d/, 100_000],
];

/**
 * Model ids as accounts type them, and as compatible gateways prefix them (`openai/gpt-4o-mini`
 * on OpenRouter), reduced to OpenAI's bare id.
 */
function bareModel(model: string): string {
  return (model.split('/').at(-1) ?? model).trim().toLowerCase();
}

export function maxOutputTokens(model: string): number {
  const id = bareModel(model);
  return OUTPUT_LIMITS.find(([pattern]) => pattern.test(id))?.[1] ?? DEFAULT_MAX_OUTPUT_TOKENS;
}

/** The `?tokens=` cap a model accepts: nothing for no or nonsense values, at most its limit. */
export function clampOutputTokens(
  model: string,
  requested: number | undefined,
): number | undefined {
  if (requested === undefined || !Number.isFinite(requested) || requested <= 0) return undefined;
  return Math.min(Math.floor(requested), maxOutputTokens(model));
}

/**
 * Reasoning models spend part of the output cap on reasoning and take `reasoning_effort`.
 * The `-chat` variants (gpt-5-chat-latest) are ChatGPT's non-reasoning snapshots and refuse it.
 */
export function isReasoningModel(model: string): boolean {
  const id = bareModel(model);
  if (/-chat(-latest)?$/.test(id)) return false;
  return /^o\d/.test(id) || /^gpt-[56]/.test(id);
}

/** Whether a model reads images; unknown models are assumed text-only. */
export function acceptsImages(model: string): boolean {
  const id = bareModel(model);
  // o3-mini is text-only, unlike o3 and o4-mini.
  if (id.startsWith('o3-mini')) return false;
  return /^(gpt-4o|gpt-4\.1|gpt-5|gpt-6|o3|o4)/.test(id);
}
