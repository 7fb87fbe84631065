import { describe, expect, it } from 'vitest';
import { KommoApiError } from './kommo-errors';
import { botRunBody, continuePath } from './kommo-salesbot';

describe('continuePath', () => {
  it('keeps only the bot and continue ids of a return_url', () => {
    expect(continuePath('https://evil.example/x/api/v4/salesbot/12/continue/ab-3?token=1')).toBe(
      '/api/v4/salesbot/12/continue/ab-3',
    );
    expect(continuePath('http://127.0.0.1:4000/a/acme/api/v4/marketingbot/9/continue/4')).toBe(
      '/api/v4/marketingbot/9/continue/4',
    );
    expect(continuePath({ botId: 3, continueId: '77' })).toBe('/api/v4/salesbot/3/continue/77');
  });

  it('refuses anything else', () => {
    for (const bad of [
      'https://acme.kommo.com/api/v4/leads/1',
      'https://acme.kommo.com/api/v4/salesbot/x/continue/1',
      'https://acme.kommo.com/api/v4/salesbot/1/continue/../../leads',
      'not a url at all',
    ]) {
      expect(() => continuePath(bad), bad).toThrow(KommoApiError);
    }
  });
});

describe('botRunBody', () => {
  it('uses names for v4 and numbers for v2', () => {
    const tasks = [
      { botId: 1, entityId: 2 },
      { botId: 1, entityId: 3, entityType: 'contacts' as const },
    ];
    expect(botRunBody(tasks, 'v4')).toEqual([
      { bot_id: 1, entity_id: 2, entity_type: 'leads' },
      { bot_id: 1, entity_id: 3, entity_type: 'contacts' },
    ]);
    expect(botRunBody(tasks, 'v2')).toEqual([
      { bot_id: 1, entity_id: 2, entity_type: 2 },
      { bot_id: 1, entity_id: 3, entity_type: 1 },
    ]);
  });
});
