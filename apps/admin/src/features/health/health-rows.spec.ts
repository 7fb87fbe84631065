import { describe, expect, it } from 'vitest';
import { healthRows } from './health-rows';

describe('healthRows', () => {
  it('names each dependency and keeps its message', () => {
    const rows = healthRows({
      status: 'error',
      details: { redis: { status: 'down', message: 'timeout' }, postgres: { status: 'up' } },
    });
    expect(rows.map((r) => `${r.label}:${r.status}`)).toEqual(['PostgreSQL:up', 'Redis:down']);
    expect(rows[1]?.message).toBe('timeout');
  });
});
