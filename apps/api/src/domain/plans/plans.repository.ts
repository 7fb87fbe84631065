import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { returnedRows } from '../../database/returning';
import { type Tx } from '../../database/transactions.repository';
import { type Installation } from '../installations/installation.entity';
import { PlanRow } from './plan.entity';

/** An account's plan row joined with its override and its calendar at a moment. */
export type AllowanceRow = Pick<Installation, 'timezone' | 'leadDailyCap' | 'monthlyCostCapUsd'> & {
  planId: string;
  planName: string;
  monthly: number;
  monthStart: string;
  nextMonthStart: string;
  today: string;
};

/** plans: the plans support edits; which one an account is on lives in installations.plan_id. */
@Injectable()
export class PlansRepository {
  constructor(@InjectRepository(PlanRow) private readonly plans: Repository<PlanRow>) {}

  listInOrder(): Promise<Pick<PlanRow, 'id' | 'name' | 'monthlyRequests' | 'sort'>[]> {
    return this.plans.query(
      `SELECT id, name, monthly_requests AS "monthlyRequests", sort FROM plans ORDER BY sort, id`,
    );
  }

  /** Changes what is given; false when there is no such plan. */
  async update(id: string, change: { name?: string; monthlyRequests?: number }): Promise<boolean> {
    const result: unknown = await this.plans.query(
      `UPDATE plans SET name = coalesce($2, name),
              monthly_requests = coalesce($3, monthly_requests), updated_at = now()
        WHERE id = $1 RETURNING id`,
      [id, change.name ?? null, change.monthlyRequests ?? null],
    );
    return returnedRows(result).length > 0;
  }

  /**
   * The installation's plan, its override and the month boundaries in its time zone at `at`
   * (`monthStart`: that month instead). Reads the installation's row too: the plan columns and
   * the time zone are there.
   */
  async allowanceOf(
    installationId: string,
    at: Date,
    monthStart: string | null,
    tx: Tx = this.plans.manager,
  ): Promise<AllowanceRow | undefined> {
    const rows: AllowanceRow[] = await tx.query(
      `WITH local AS (
         SELECT i.*, ($2::timestamptz AT TIME ZONE i.timezone) AS local_now
           FROM installations i WHERE i.id = $1)
       SELECT l.timezone, p.id AS "planId", p.name AS "planName",
              coalesce(l.monthly_requests_override, p.monthly_requests) AS monthly,
              l.lead_daily_cap AS "leadDailyCap",
              l.monthly_cost_cap_usd::float8 AS "monthlyCostCapUsd",
              to_char(coalesce($3::date, date_trunc('month', l.local_now)::date), 'YYYY-MM-DD') AS "monthStart",
              to_char((coalesce($3::date, date_trunc('month', l.local_now)::date) + interval '1 month')::date, 'YYYY-MM-DD') AS "nextMonthStart",
              to_char(l.local_now::date, 'YYYY-MM-DD') AS today
         FROM local l JOIN plans p ON p.id = l.plan_id`,
      [installationId, at.toISOString(), monthStart],
    );
    return rows[0];
  }
}
