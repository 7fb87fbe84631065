import { type UsageDay } from '../../lib/types';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** `2026-01` moved by `delta` months: `shiftMonth('2026-01', -1)` is `2025-12`. */
export function shiftMonth(month: string, delta: number): string {
  const match = MONTH.exec(month);
  if (!match) throw new Error(`not a month: ${month}`);
  const index = Number(match[1]) * 12 + Number(match[2]) - 1 + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Every day of the month in order, with zeros for the days the API left out. */
export function monthDays(month: string, days: UsageDay[]): UsageDay[] {
  const match = MONTH.exec(month);
  if (!match) throw new Error(`not a month: ${month}`);
  const length = new Date(Date.UTC(Number(match[1]), Number(match[2]), 0)).getUTCDate();
  const byDay = new Map(days.map((day) => [day.day, day]));
  return Array.from({ length }, (_, i) => {
    const day = `${month}-${String(i + 1).padStart(2, '0')}`;
    return byDay.get(day) ?? { day, chatgpt: 0, assistant: 0, total: 0 };
  });
}
