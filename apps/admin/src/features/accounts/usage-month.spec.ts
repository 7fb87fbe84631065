import { describe, expect, it } from 'vitest';
import { monthDays, shiftMonth } from './usage-month';

describe('usage months', () => {
  it('steps across year ends', () => {
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2025-12', 1)).toBe('2026-01');
    expect(shiftMonth('2026-11', -13)).toBe('2025-10');
    expect(shiftMonth('2026-11', 0)).toBe('2026-11');
    expect(() => shiftMonth('2026-13', 1)).toThrow('not a month');
  });

  it('fills every day of the month, keeping the counted ones', () => {
    const counted = { day: '2024-02-10', chatgpt: 2, assistant: 1, total: 3 };
    const days = monthDays('2024-02', [counted]);
    expect(days).toHaveLength(29);
    expect(days[0]).toEqual({ day: '2024-02-01', chatgpt: 0, assistant: 0, total: 0 });
    expect(days[9]).toBe(counted);
    expect(days[28]!.day).toBe('2024-02-29');
    expect(monthDays('2026-02', [])).toHaveLength(28);
    expect(monthDays('2026-12', [])).toHaveLength(31);
  });
});
