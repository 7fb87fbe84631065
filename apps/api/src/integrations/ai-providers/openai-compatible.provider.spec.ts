import { describe, expect, it } from 'vitest';
import { ProviderError } from './provider-error';
import { type ChatTurn } from './provider.types';
import { endpointHost, trimHistory } from './openai-compatible.provider';

function turns(count: number, length = 10): ChatTurn[] {
  return Array.from({ length: count }, (_, index) => ({
    role: index % 2 === 0 ? 'user' : 'assistant',
    content: `${index}`.padEnd(length, '.'),
  }));
}

describe('trimHistory', () => {
  it('keeps short histories as they are', () => {
    const history = turns(6);
    expect(trimHistory(history)).toEqual(history);
  });

  it('keeps the last 20 turns', () => {
    const history = turns(30);
    const kept = trimHistory(history);
    expect(kept).toHaveLength(20);
    expect(kept).toEqual(history.slice(10));
  });

  it('drops the oldest turns past the character cap', () => {
    const history = turns(10, 5_000);
    const kept = trimHistory(history);
    expect(kept.reduce((sum, turn) => sum + turn.content.length, 0)).toBeLessThanOrEqual(24_000);
    expect(kept.at(-1)).toEqual(history.at(-1));
    expect(kept).toEqual(history.slice(6));
  });

  it('never starts with an assistant turn', () => {
    const kept = trimHistory(turns(21));
    expect(kept[0]?.role).toBe('user');
    expect(kept).toHaveLength(19);
  });

  it('is empty when even the last turn is too long', () => {
    expect(trimHistory([{ role: 'user', content: 'x'.repeat(30_000) }])).toEqual([]);
  });
});

describe('endpointHost', () => {
  it('names the endpoint by its host', () => {
    expect(endpointHost('https://openrouter.ai/api/v1')).toBe('openrouter.ai');
    expect(endpointHost('http://127.0.0.1:8080/v1')).toBe('127.0.0.1:8080');
  });

  it('refuses an invalid URL as a config error', () => {
    expect(() => endpointHost('not a url')).toThrow(ProviderError);
    try {
      endpointHost('nope');
    } catch (error) {
      expect((error as ProviderError).errorClass).toBe('config');
    }
  });
});
