import { Injectable } from '@nestjs/common';
import { type UsageSummary } from '@gpt-bridge/shared';
import { type Tx } from '../../database/transactions.repository';
import { MODEL_PRICES_AS_OF } from './model-prices';
import { PlansRepository } from './plans.repository';
import { UsageRepository } from './usage.repository';

/** An installation's plan and allowance, and the calendar in its time zone at a moment. */
export type Allowance = {
  installationId: string;
  timezone: string;
  planId: string;
  planName: string;
  /** The plan's allowance, or the account's override. */
  monthlyRequests: number;
  leadDailyCap: number | null;
  /** The owner's cap on the month's estimated cost (USD); null = none. */
  costCapUsd: number | null;
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
  constructor(
    private readonly plans: PlansRepository,
    private readonly usage: UsageRepository,
  ) {}

  /** The plan, the override and the month boundaries at `at` (for `month`, that month). */
  async allowance(installationId: string, at: Date, tx?: Tx, month?: string): Promise<Allowance> {
    const row = await this.plans.allowanceOf(installationId, at, month ? `${month}-01` : null, tx);
    if (!row) throw new Error(`installation ${installationId} not found`);
    return {
      installationId,
      timezone: row.timezone,
      planId: row.planId,
      planName: row.planName,
      monthlyRequests: row.monthly,
      leadDailyCap: row.leadDailyCap,
      costCapUsd: row.monthlyCostCapUsd,
      monthStart: row.monthStart,
      nextMonthStart: row.nextMonthStart,
      today: row.today,
    };
  }

  /** Requests counted in [from, to) (account-local days). */
  used(installationId: string, from: string, to: string, tx?: Tx): Promise<number> {
    return this.usage.countedBetween(installationId, from, to, tx);
  }

  /** Estimated cost (USD) of the requests counted in [from, to) (account-local days). */
  cost(installationId: string, from: string, to: string, tx?: Tx): Promise<number> {
    return this.usage.costBetween(installationId, from, to, tx);
  }

  /** What the widget and admin show: a month (default: the current one) in the account's zone. */
  async summary(installationId: string, at: Date, month?: string): Promise<UsageSummary> {
    const allowance = await this.allowance(installationId, at, undefined, month);
    const rows = await this.usage.daysBetween(
      installationId,
      allowance.monthStart,
      allowance.nextMonthStart,
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
    const costUsd = await this.cost(installationId, allowance.monthStart, allowance.nextMonthStart);
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
      // Micro-dollars are plenty for a display; the cap check compares the exact sum.
      costUsd: Math.round(costUsd * 1e6) / 1e6,
      costCapUsd: allowance.costCapUsd,
      // The cap stops this month's requests; an earlier month is only history.
      costCapReached: isCurrent(allowance) && costCapReached(allowance.costCapUsd, costUsd),
      pricesAsOf: MODEL_PRICES_AS_OF,
    };
  }
}

function isCurrent({ monthStart, nextMonthStart, today }: Allowance): boolean {
  return today >= monthStart && today < nextMonthStart;
}

/** The month's estimated cost reached the owner's cap (none set: never). */
export function costCapReached(capUsd: number | null, costUsd: number): boolean {
  return capUsd !== null && costUsd >= capUsd;
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
