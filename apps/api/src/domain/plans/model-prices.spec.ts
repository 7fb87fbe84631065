import { describe, expect, it } from 'vitest';
import { estimateCostUsd, MODEL_PRICES_AS_OF, modelPrice } from './model-prices';

const openai = (model: string | null, inputTokens: number | null, outputTokens: number | null) =>
  estimateCostUsd({ provider: 'openai_chat', model, inputTokens, outputTokens });

describe('model prices', () => {
  it('prices input and output tokens per million', () => {
    // gpt-4o-mini: $0.15 in, $0.60 out per 1M.
    expect(openai('gpt-4o-mini', 1_000_000, 0)).toBe(0.15);
    expect(openai('gpt-4o-mini', 0, 1_000_000)).toBe(0.6);
    expect(openai('gpt-4o-mini', 2_000, 500)).toBeCloseTo(0.0006, 12);
    // gpt-6-luna: $0.10 in, $0.50 out per 1M: 120 + 30 tokens = 0.000012 + 0.000015.
    expect(openai('gpt-6-luna', 120, 30)).toBe(0.000027);
  });

  it('keeps 9 decimals, the column scale', () => {
    expect(openai('gpt-5-nano', 1, 1)).toBe(0.00000045);
    expect(openai('gpt-5-nano', 1, 0)).toBe(0.00000005);
  });

  it('prices a dated snapshot as its alias, and never by prefix', () => {
    expect(modelPrice('gpt-4o-mini-2024-07-18')).toEqual(modelPrice('gpt-4o-mini'));
    expect(modelPrice('GPT-4o')).toEqual({ inputPerMillion: 2.5, outputPerMillion: 10 });
    expect(modelPrice('gpt-4o-mini')).not.toEqual(modelPrice('gpt-4o'));
    expect(modelPrice('gpt-4o-mini-audio')).toBeNull();
    expect(modelPrice('toString')).toBeNull();
  });

  it('gives null for an unknown model, missing tokens or a provider with other prices', () => {
    expect(openai('my-finetune', 100, 100)).toBeNull();
    expect(openai(null, 100, 100)).toBeNull();
    expect(openai('gpt-4o', null, 100)).toBeNull();
    expect(openai('gpt-4o', 100, null)).toBeNull();
    for (const provider of ['openai_compatible', 'dify', 'chatbase', null]) {
      expect(
        estimateCostUsd({ provider, model: 'gpt-4o', inputTokens: 10, outputTokens: 10 }),
      ).toBeNull();
    }
    expect(
      estimateCostUsd({
        provider: 'openai_responses',
        model: 'gpt-4o',
        inputTokens: 0,
        outputTokens: 0,
      }),
    ).toBe(0);
  });

  it('says when the prices were read', () => {
    expect(MODEL_PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
