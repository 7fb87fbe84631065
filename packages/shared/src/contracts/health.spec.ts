import { describe, expect, it } from 'vitest';
import { HealthResponseSchema } from './health.js';

describe('HealthResponseSchema', () => {
  it('accepts a report with a down dependency and its message', () => {
    const parsed = HealthResponseSchema.parse({
      status: 'error',
      error: { redis: { status: 'down', message: 'timeout' } },
      details: { postgres: { status: 'up' }, redis: { status: 'down', message: 'timeout' } },
    });
    expect(parsed.details.redis?.status).toBe('down');
  });

  it('rejects an unknown check status', () => {
    expect(() =>
      HealthResponseSchema.parse({ status: 'ok', details: { redis: { status: 'maybe' } } }),
    ).toThrow();
  });
});
