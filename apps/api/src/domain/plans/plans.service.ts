import { Injectable } from '@nestjs/common';
import { InstallationsRepository } from '../installations/installations.repository';
import { PlanError } from './plan-errors';
import { PlansRepository } from './plans.repository';

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
  constructor(
    private readonly plans: PlansRepository,
    private readonly installations: InstallationsRepository,
  ) {}

  async list(): Promise<Plan[]> {
    return this.plans.listInOrder();
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
    if (!(await this.plans.update(id, change))) {
      throw new PlanError('plan_not_found', `no plan ${id}`);
    }
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
    const assigned = await this.installations.assignPlan(installationId, {
      planId,
      monthlyRequestsOverride,
      leadDailyCap,
    });
    if (!assigned) throw new PlanError('installation_not_found', 'no such installation');
  }
}
