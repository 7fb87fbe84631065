import { describe, expect, it } from 'vitest';
import { type Allowance, forecast } from './usage.service';

const allowance = (today: string, monthlyRequests = 1000): Allowance => ({
  installationId: 'x',
  timezone: 'America/Sao_Paulo',
  planId: 'starter',
  planName: 'Starter',
  monthlyRequests,
  leadDailyCap: null,
  costCapUsd: null,
  monthStart: '2026-11-01',
  nextMonthStart: '2026-12-01',
  today,
});

describe('forecast', () => {
  it('projects the pace so far to the day the allowance runs out', () => {
    // 400 in 10 days = 40/day; 600 left → 15 more days.
    expect(forecast(allowance('2026-11-10'), 400)).toBe('2026-11-25');
  });

  it('is null when the allowance lasts the month, or nothing was used', () => {
    expect(forecast(allowance('2026-11-10'), 100)).toBeNull();
    expect(forecast(allowance('2026-11-10'), 0)).toBeNull();
  });

  it('is today once the allowance is used up', () => {
    expect(forecast(allowance('2026-11-20'), 1000)).toBe('2026-11-20');
  });

  it('is null for a month other than the current one', () => {
    expect(forecast(allowance('2026-12-02'), 900)).toBeNull();
  });
});
