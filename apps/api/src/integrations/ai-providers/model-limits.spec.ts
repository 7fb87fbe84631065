import { describe, expect, it } from 'vitest';
import {
  acceptsImages,
  clampOutputTokens,
  DEFAULT_MAX_OUTPUT_TOKENS,
  isReasoningModel,
  maxOutputTokens,
} from './model-limits';

describe('maxOutputTokens', () => {
  it.each([
    ['gpt-4o-mini', 16_384],
    ['gpt-4o-mini-2024-07-18', 16_384],
    ['gpt-4o', 16_384],
    ['gpt-4.1', 32_768],
    ['gpt-4.1-mini', 32_768],
    ['gpt-5', 128_000],
    ['gpt-5-mini', 128_000],
    ['gpt-6-luna', 128_000],
    ['openai/gpt-4.1-mini', 32_768],
    ['GPT-6-Luna', 128_000],
    ['llama-3.3-70b', DEFAULT_MAX_OUTPUT_TOKENS],
    ['', DEFAULT_MAX_OUTPUT_TOKENS],
  ])('%s → %i', (model, limit) => {
    expect(maxOutputTokens(model)).toBe(limit);
  });

  it('uses 16384 for unknown models', () => {
    expect(DEFAULT_MAX_OUTPUT_TOKENS).toBe(16_384);
  });
});

describe('clampOutputTokens', () => {
  it('leaves no cap alone', () => {
    expect(clampOutputTokens('gpt-4o-mini', undefined)).toBeUndefined();
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('drops the nonsense value %s', (value) => {
    expect(clampOutputTokens('gpt-4o-mini', value)).toBeUndefined();
  });

  it('keeps a cap within the limit', () => {
    expect(clampOutputTokens('gpt-4o-mini', 800)).toBe(800);
    expect(clampOutputTokens('gpt-4o-mini', 16_384)).toBe(16_384);
  });

  it('lowers a cap above the limit to the limit', () => {
    expect(clampOutputTokens('gpt-4o-mini', 50_000)).toBe(16_384);
    expect(clampOutputTokens('gpt-4.1', 50_000)).toBe(32_768);
    expect(clampOutputTokens('gpt-6-luna', 500_000)).toBe(128_000);
    expect(clampOutputTokens('unknown-model', 20_000)).toBe(16_384);
  });

  it('rounds fractions down', () => {
    expect(clampOutputTokens('gpt-4o', 99.9)).toBe(99);
  });
});

describe('isReasoningModel', () => {
  it.each(['o1', 'o3', 'o3-mini', 'o4-mini', 'gpt-5', 'gpt-5-nano', 'gpt-6-luna'])(
    '%s reasons',
    (model) => {
      expect(isReasoningModel(model)).toBe(true);
    },
  );

  it.each(['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'gpt-3.5-turbo', 'gpt-5-chat-latest', 'llama3'])(
    '%s does not',
    (model) => {
      expect(isReasoningModel(model)).toBe(false);
    },
  );
});

describe('acceptsImages', () => {
  it.each(['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'gpt-5', 'gpt-6-luna', 'o3', 'o4-mini'])(
    '%s reads images',
    (model) => {
      expect(acceptsImages(model)).toBe(true);
    },
  );

  it.each(['gpt-3.5-turbo', 'gpt-3.5-turbo-0125', 'o3-mini', 'mistral-small', ''])(
    '%s does not',
    (model) => {
      expect(acceptsImages(model)).toBe(false);
    },
  );
});
