import { describe, expect, it } from 'vitest';
import { formatUsd, parseCap } from './money';

describe('money', () => {
  it('shows cents, and a small cost as under a cent', () => {
    expect(formatUsd(0)).toBe('US$ 0.00');
    expect(formatUsd(0.000027)).toBe('< US$ 0.01');
    expect(formatUsd(12.345)).toBe('US$ 12.35');
  });

  it('reads a cap in cents, empty as none', () => {
    expect(parseCap('')).toBeNull();
    expect(parseCap(' 25 ')).toBe(25);
    expect(parseCap('19,99')).toBe(19.99);
    expect(parseCap('0.001')).toBeNaN();
    expect(parseCap('0')).toBeNaN();
    expect(parseCap('-5')).toBeNaN();
    expect(parseCap('1e3')).toBeNaN();
    expect(parseCap('1000001')).toBeNaN();
  });
});
