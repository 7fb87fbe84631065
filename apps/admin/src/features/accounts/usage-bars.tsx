import { type UsageDay } from '../../lib/types';
import { monthDays } from './usage-month';

/** Requests per day of the month as bars; each bar names its day and counts. */
export function UsageBars({ month, days }: { month: string; days: UsageDay[] }) {
  const all = monthDays(month, days);
  const peak = Math.max(1, ...all.map((d) => d.total));
  return (
    <div className="bars" data-testid="usage-chart" aria-label={`Requests per day, ${month}`}>
      {all.map((d) => (
        <span
          key={d.day}
          role="img"
          data-total={d.total}
          aria-label={`${d.day}: ${d.total} (${d.chatgpt} ChatGPT, ${d.assistant} Assistant)`}
          title={`${d.day}: ${d.total}`}
          style={{ height: `${(d.total / peak) * 100}%` }}
        />
      ))}
    </div>
  );
}
