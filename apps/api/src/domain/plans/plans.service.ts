import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { returnedRows } from '../../database/returning';
import { PlanError } from './plan-errors';

export type Plan = { id: string; name: string; monthlyRequests: number; sort: number };

export type PlanAssignment = {
  planId: string;
  /** null: the plan's allowance applies. */
  monthlyRequestsOverride: number | null;
  /** null: no per-lead daily cap. */
  leadDailyCap: number | null;
};

/** Plans and which plan each account is on; the admin panel edits both (issue 9). */
@Injectable()
export class PlansService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(): Promise<Plan[]> {
    const rows: { id: string; name: string; monthly_requests: number; sort: number }[] =
      await this.db.query(`SELECT id, name, monthly_requests, sort FROM plans ORDER BY sort, id`);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      monthlyRequests: r.monthly_requests,
      sort: r.sort,
    }));
  }

  async update(id: string, change: { name?: string; monthlyRequests?: number }): Promise<Plan> {
    if (
      change.monthlyRequests !== undefined &&
      !(Number.isInteger(change.monthlyRequests) && change.monthlyRequests >= 0)
    ) {
      throw new PlanError(
        'invalid_allowance',
        'monthlyRequests must be a whole number of 0 or more',
      );
    }
    const result: unknown = await this.db.query(
      `UPDATE plans SET name = coalesce($2, name),
              monthly_requests = coalesce($3, monthly_requests), updated_at = now()
        WHERE id = $1 RETURNING id`,
      [id, change.name ?? null, change.monthlyRequests ?? null],
    );
    if (returnedRows(result).length === 0) throw new PlanError('plan_not_found', `no plan ${id}`);
    const plan = (await this.list()).find((p) => p.id === id);
    if (!plan) throw new PlanError('plan_not_found', `no plan ${id}`);
    return plan;
  }

  async assign(installationId: string, assignment: PlanAssignment): Promise<void> {
    const { planId, monthlyRequestsOverride, leadDailyCap } = assignment;
    if (
      monthlyRequestsOverride !== null &&
      !(Number.isInteger(monthlyRequestsOverride) && monthlyRequestsOverride >= 0)
    ) {
      throw new PlanError('invalid_allowance', 'the override must be a whole number of 0 or more');
    }
    if (leadDailyCap !== null && !(Number.isInteger(leadDailyCap) && leadDailyCap > 0)) {
      throw new PlanError(
        'invalid_allowance',
        'the daily cap per lead must be a whole number above 0',
      );
    }
    if (!(await this.list()).some((plan) => plan.id === planId)) {
      throw new PlanError('unknown_plan', `no plan ${planId}`);
    }
    const result: unknown = await this.db.query(
      `UPDATE installations SET plan_id = $2, monthly_requests_override = $3, lead_daily_cap = $4,
              updated_at = now()
        WHERE id = $1 RETURNING id`,
      [installationId, planId, monthlyRequestsOverride, leadDailyCap],
    );
    if (returnedRows(result).length === 0) {
      throw new PlanError('installation_not_found', 'no such installation');
    }
  }
}
