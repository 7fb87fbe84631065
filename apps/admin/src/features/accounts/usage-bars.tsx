import { type UsageDay } from '../../lib/types';

/** Requests per day of the month as bars; each bar names its day and counts. */
export function UsageBars({ month, days }: { month: string; days: UsageDay[] }) {
  const byDay = new Map(days.map((day) => [day.day, day]));
  const [year, monthNo] = month.split('-').map(Number) as [number, number];
  const length = new Date(Date.UTC(year, monthNo, 0)).getUTCDate();
  const all = Array.from({ length }, (_, i) => {
    const day = `${month}-${String(i + 1).padStart(2, '0')}`;
    return byDay.get(day) ?? { day, chatgpt: 0, assistant: 0, total: 0 };
  });
  const peak = Math.max(1, ...all.map((d) => d.total));
  return (
    <div className="bars" data-testid="usage-chart" aria-label={`Requests per day, ${month}`}>
      {all.map((d) => (
        <span
          key={d.day}
          role="img"
          aria-label={`${d.day}: ${d.total} (${d.chatgpt} ChatGPT, ${d.assistant} Assistant)`}
          title={`${d.day}: ${d.total}`}
          style={{ height: `${(d.total / peak) * 100}%` }}
        />
      ))}
    </div>
  );
}
