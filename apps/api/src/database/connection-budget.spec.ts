import { describe, expect, it } from 'vitest';
import { connectionBudgetWarning } from './connection-budget';

describe('connectionBudgetWarning', () => {
  const figures = { maxConnections: 100, reserved: 3, open: 31 };

  it('is quiet while what the process may open fits in what the others leave', () => {
    // 100 − 3 reserved − 30 others (the 31st open connection is the one asking) = 67.
    expect(connectionBudgetWarning(67, 'DATABASE_POOL_SIZE', figures)).toBeNull();
  });

  it('names the figures when it does not', () => {
    const warning = connectionBudgetWarning(68, 'DATABASE_POOL_SIZE', figures);
    expect(warning).toContain('up to 68 PostgreSQL connections (DATABASE_POOL_SIZE)');
    expect(warning).toContain('max_connections 100 less 3 reserved leaves 97');
    expect(warning).toContain('other clients hold 30 now');
  });

  it('warns for a process that alone needs more than the server has', () => {
    expect(
      connectionBudgetWarning(400, 'x', { maxConnections: 100, reserved: 3, open: 0 }),
    ).toContain('up to 400');
  });
});
