import { describe, expect, it } from 'vitest';
import { AuditQuery, LeadIdParam, RequestsQuery } from './admin-schemas';

describe('LeadIdParam', () => {
  it('turns a path of digits into the number', () => {
    expect(LeadIdParam.parse('42')).toBe(42);
    expect(LeadIdParam.parse('007')).toBe(7);
    expect(LeadIdParam.parse('999999999999999')).toBe(999_999_999_999_999);
  });

  it.each(['0', '000', '-1', '1e3', '1.5', ' 1', 'abc', '', '1234567890123456'])(
    'refuses %j with one problem',
    (value) => {
      const parsed = LeadIdParam.safeParse(value);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((issue) => issue.message)).toEqual([
        'must be a positive whole number',
      ]);
    },
  );
});

describe('RequestsQuery', () => {
  it('takes an empty filter as no filter, as the service always did', () => {
    expect(
      RequestsQuery.parse({ account: '', kind: '', status: '', from: '', to: '', limit: '' }),
    ).toEqual({ account: '', kind: undefined, status: undefined, from: undefined, to: undefined });
  });

  it('keeps the filters it knows and refuses an unknown status, kind or date', () => {
    expect(
      RequestsQuery.parse({ status: 'failed', kind: 'assistant', from: '2026-11-01', limit: '20' }),
    ).toMatchObject({ status: 'failed', kind: 'assistant', from: '2026-11-01', limit: 20 });
    expect(RequestsQuery.safeParse({ status: 'nope' }).error?.issues[0]?.message).toMatch(
      /^must be one of queued, processing/,
    );
    expect(RequestsQuery.safeParse({ kind: 'other' }).error?.issues[0]?.message).toBe(
      'must be chatgpt or assistant',
    );
    expect(RequestsQuery.safeParse({ to: 'yesterday' }).error?.issues[0]?.message).toBe(
      'must be an ISO date',
    );
  });

  // The services clamp the limit (1..500) and use their default for none: a limit that is not a
  // number never was an error, and is not one now.
  it.each([
    ['20', 20],
    ['-5', -5],
    ['0', undefined],
    ['abc', undefined],
    ['', undefined],
  ])('reads limit %j as %j', (limit, expected) => {
    expect(RequestsQuery.parse({ limit }).limit).toBe(expected);
    expect(AuditQuery.parse({ limit }).limit).toBe(expected);
  });
});

describe('AuditQuery', () => {
  it('takes an empty target as none', () => {
    expect(AuditQuery.parse({ target: '' })).toEqual({ target: undefined, limit: undefined });
    expect(AuditQuery.parse({ target: 'abc' }).target).toBe('abc');
  });
});
