/**
 * The price table that turns a request's tokens into an estimated cost (issue 23): USD per
 * 1,000,000 tokens, OpenAI's Standard tier, as listed on OpenAI's pricing page
 * (docs/ai-providers.md §1.12, where the sources and how sure we are are written down).
 * The one place prices live: change a row and its date here when OpenAI changes them.
 */
export const MODEL_PRICES_AS_OF = '2026-11-05';
export const MODEL_PRICES_SOURCE = 'https://developers.openai.com/api/docs/pricing';

export type ModelPrice = { inputPerMillion: number; outputPerMillion: number };

const PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-6-luna': { inputPerMillion: 0.1, outputPerMillion: 0.5 },
  'gpt-5': { inputPerMillion: 1.25, outputPerMillion: 10 },
  'gpt-5-mini': { inputPerMillion: 0.25, outputPerMillion: 2 },
  'gpt-5-nano': { inputPerMillion: 0.05, outputPerMillion: 0.4 },
  'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
  'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  o3: { inputPerMillion: 2, outputPerMillion: 8 },
};

// Only our OpenAI code paths bill at OpenAI's prices. An OpenAI-compatible server may call its
// model `gpt-4o-mini` and charge anything; Dify and Chatbase bill by their own plans.
const PRICED_PROVIDERS: ReadonlySet<string> = new Set(['openai_chat', 'openai_responses']);

// OpenAI answers with the dated snapshot (`gpt-4o-mini-2024-07-18`), priced as its alias.
const SNAPSHOT = /-\d{4}-\d{2}-\d{2}$/;

/**
 * The price of a model, or null when it is not in the table. Exact names only (after the
 * snapshot date): a prefix would price `gpt-4o-mini` as `gpt-4o`.
 */
export function modelPrice(model: string): ModelPrice | null {
  const name = model.trim().toLowerCase().replace(SNAPSHOT, '');
  return Object.hasOwn(PRICES, name) ? (PRICES[name] ?? null) : null;
}

/**
 * A request's estimated cost in USD (9 decimals, what the column keeps): input tokens at the
 * input price, output tokens at the output price. Null when the provider is not OpenAI, the
 * model is unknown, or the provider reported no tokens (a recovered answer has none). Cached
 * input is billed lower by OpenAI, and we do not store how much was cached: the estimate is the
 * upper bound.
 */
export function estimateCostUsd(request: {
  provider: string | null;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
}): number | null {
  const { provider, model, inputTokens, outputTokens } = request;
  if (provider === null || !PRICED_PROVIDERS.has(provider) || model === null) return null;
  if (inputTokens === null || outputTokens === null) return null;
  const price = modelPrice(model);
  if (!price) return null;
  const usd = (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1e6;
  return Math.round(usd * 1e9) / 1e9;
}
