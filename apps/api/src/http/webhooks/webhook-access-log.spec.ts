import { describe, expect, it } from 'vitest';
import { webhookAccessLevel } from './webhook-access-log';

describe('webhookAccessLevel', () => {
  it('puts an acknowledged webhook at debug, its row being the record', () => {
    expect(webhookAccessLevel(200)).toBe('debug');
    expect(webhookAccessLevel(202)).toBe('debug');
  });

  it('keeps refusals and failures at info', () => {
    for (const status of [400, 404, 413, 415, 429, 503]) {
      expect(webhookAccessLevel(status)).toBe('info');
    }
  });
});
