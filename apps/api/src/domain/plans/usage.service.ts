import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type UsageSummary } from '@gpt-bridge/shared';

/** An installation's plan and allowance, and the calendar in its time zone at a moment. */
export type Allowance = {
  installationId: string;
  timezone: string;
  planId: string;
  planName: string;
  /** The plan's allowance, or the account's override. */
  monthlyRequests: number;
  leadDailyCap: number | null;
  /** First day of the month and of the next one, in the account's time zone (YYYY-MM-DD). */
  monthStart: string;
  nextMonthStart: string;
  today: string;
};

export type { UsageSummary };

const DAY_MS = 86_400_000;

/** Usage counters read in the account's time zone (they are written by RequestOutcomesRepository.finish). */
@Injectable()
export class UsageService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The plan, the override and the month boundaries at `at` (for `month`, that month). */
  async allowance(
    installationId: string,
    at: Date,
    manager: EntityManager = this.db.manager,
    month?: string,
  ): Promise<Allowance> {
    const rows: {
      timezone: string;
      plan_id: string;
      plan_name: string;
      monthly: number;
      lead_daily_cap: number | null;
      month_start: string;
      next_month_start: string;
      today: string;
    }[] = await manager.query(
      `WITH local AS (
         SELECT i.*, ($2::timestamptz AT TIME ZONE i.timezone) AS local_now
           FROM installations i WHERE i.id = $1)
       SELECT l.timezone, p.id AS plan_id, p.name AS plan_name,
              coalesce(l.monthly_requests_override, p.monthly_requests) AS monthly,
              l.lead_daily_cap,
              to_char(coalesce($3::date, date_trunc('month', l.local_now)::date), 'YYYY-MM-DD') AS month_start,
              to_char((coalesce($3::date, date_trunc('month', l.local_now)::date) + interval '1 month')::date, 'YYYY-MM-DD') AS next_month_start,
              to_char(l.local_now::date, 'YYYY-MM-DD') AS today
         FROM local l JOIN plans p ON p.id = l.plan_id`,
      [installationId, at.toISOString(), month ? `${month}-01` : null],
    );
    const row = rows[0];
    if (!row) throw new Error(`installation ${installationId} not found`);
    return {
      installationId,
      timezone: row.timezone,
      planId: row.plan_id,
      planName: row.plan_name,
      monthlyRequests: row.monthly,
      leadDailyCap: row.lead_daily_cap,
      monthStart: row.month_start,
      nextMonthStart: row.next_month_start,
      today: row.today,
    };
  }

  /** Requests counted in [from, to) (account-local days). */
  async used(
    installationId: string,
    from: string,
    to: string,
    manager: EntityManager = this.db.manager,
  ): Promise<number> {
    const rows: { used: string | null }[] = await manager.query(
      `SELECT sum(requests) AS used FROM usage_daily
        WHERE installation_id = $1 AND day >= $2::date AND day < $3::date`,
      [installationId, from, to],
    );
    return Number(rows[0]?.used ?? 0);
  }

  /** What the widget and admin show: a month (default: the current one) in the account's zone. */
  async summary(installationId: string, at: Date, month?: string): Promise<UsageSummary> {
    const allowance = await this.allowance(installationId, at, this.db.manager, month);
    const rows: { day: string; kind: 'chatgpt' | 'assistant'; requests: number }[] =
      await this.db.query(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, requests FROM usage_daily
          WHERE installation_id = $1 AND day >= $2::date AND day < $3::date ORDER BY day`,
        [installationId, allowance.monthStart, allowance.nextMonthStart],
      );
    const days = new Map<
      string,
      { day: string; chatgpt: number; assistant: number; total: number }
    >();
    const byKind = { chatgpt: 0, assistant: 0 };
    for (const row of rows) {
      const entry = days.get(row.day) ?? { day: row.day, chatgpt: 0, assistant: 0, total: 0 };
      entry[row.kind] += row.requests;
      entry.total += row.requests;
      byKind[row.kind] += row.requests;
      days.set(row.day, entry);
    }
    const used = byKind.chatgpt + byKind.assistant;
    return {
      month: allowance.monthStart.slice(0, 7),
      timezone: allowance.timezone,
      plan: { id: allowance.planId, name: allowance.planName },
      allowance: allowance.monthlyRequests,
      used,
      remaining: Math.max(0, allowance.monthlyRequests - used),
      byKind,
      byDay: [...days.values()],
      resetsOn: allowance.nextMonthStart,
      exhaustedOn: forecast(allowance, used),
    };
  }
}

/**
 * The day the allowance runs out at this month's pace so far (only for the current month);
 * null when nothing was used yet or when it lasts past the month.
 */
export function forecast(allowance: Allowance, used: number): string | null {
  const { monthStart, nextMonthStart, today } = allowance;
  if (today < monthStart || today >= nextMonthStart || used === 0) return null;
  if (used >= allowance.monthlyRequests) return today;
  const elapsedDays = (Date.parse(today) - Date.parse(monthStart)) / DAY_MS + 1;
  const perDay = used / elapsedDays;
  const daysLeft = (allowance.monthlyRequests - used) / perDay;
  const day = new Date(Date.parse(today) + Math.ceil(daysLeft) * DAY_MS).toISOString().slice(0, 10);
  return day < nextMonthStart ? day : null;
}
