import { describe, expect, it } from 'vitest';
import { query } from './api';
import { age, percent, when } from './format';
import { parseHash } from './router';

describe('formatting', () => {
  it('shows rates, ages and missing values readably', () => {
    expect(percent(0.125)).toBe('12.5%');
    expect(percent(null)).toBe('—');
    expect(age(42)).toBe('42 s');
    expect(age(180)).toBe('3 min');
    expect(age(7500)).toBe('2 h 5 min');
    expect(when(null)).toBe('—');
    expect(when('2026-11-25T10:05:00')).toBe('2026-11-25 10:05');
  });

  it('routes by hash and builds queries from filled values only', () => {
    const route = parseHash('#/accounts/a%2Fb?tab=requests');
    expect(route.segments).toEqual(['accounts', 'a/b']);
    expect(route.query.get('tab')).toBe('requests');
    expect(parseHash('').segments).toEqual([]);
    expect(query({ account: 'shop', kind: '', status: undefined })).toBe('?account=shop');
  });
});
