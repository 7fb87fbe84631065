import { Injectable } from '@nestjs/common';
import { FieldsService } from '../../domain/fields/fields.service';
import { InstallationJobs } from '../../domain/installations/installation-jobs';
import { InstallationsRepository } from '../../domain/installations/installations.repository';
import { TokenService } from '../../domain/installations/token.service';
import { KommoApiError } from '../../integrations/kommo/kommo-errors';
import { LeadEraser, type LeadEraseResult } from '../../domain/requests/retention/lead-eraser';
import { PlanError } from '../../domain/plans/plan-errors';
import { type Plan, type PlanAssignment, PlansService } from '../../domain/plans/plans.service';
import { AdminAccountsService } from './admin-accounts.service';
import { AdminError } from './admin-errors';
import { AuditLogService } from '../../domain/staff/audit-log.service';
import { type AdminUserView } from '../../domain/staff/admin-user.types';

/** What support and admins change on an account or a plan; each change is audited. */
@Injectable()
export class AdminActionsService {
  constructor(
    private readonly installations: InstallationsRepository,
    private readonly accounts: AdminAccountsService,
    private readonly audit: AuditLogService,
    private readonly jobs: InstallationJobs,
    private readonly tokens: TokenService,
    private readonly plans: PlansService,
    private readonly fields: FieldsService,
    private readonly eraser: LeadEraser,
  ) {}

  /** Queues field provisioning (idempotent: reuses fields by code, recreates deleted ones). */
  async reprovision(id: string, actor: AdminUserView): Promise<{ queued: true }> {
    await this.accounts.state(id);
    const before = (await this.fields.activeFields(id)).map((f) => ({
      key: f.key,
      kommoFieldId: f.kommoFieldId,
    }));
    await this.jobs.provisionFields(id);
    await this.audit.record({
      actor,
      action: 'account.reprovision_fields',
      targetType: 'installation',
      targetId: id,
      before: { fields: before },
      after: { queued: true },
    });
    return { queued: true };
  }

  /**
   * Refreshes now, through TokenService's per-account lock like any other refresh (refresh
   * tokens are single-use, so two refreshes must never race). An expiry bound no token can
   * meet makes the refresh happen even when the current token is still good.
   */
  async refreshToken(id: string, actor: AdminUserView) {
    const before = await this.accounts.state(id);
    let failure: string | null = null;
    try {
      await this.tokens.refresh(id, { expiringBefore: Number.MAX_SAFE_INTEGER });
    } catch (error) {
      if (!(error instanceof KommoApiError)) throw error;
      failure = error.message;
    }
    const after = await this.accounts.state(id);
    await this.audit.record({
      actor,
      action: 'account.refresh_token',
      targetType: 'installation',
      targetId: id,
      before: tokenState(before),
      after: { ...tokenState(after), ...(failure ? { failure } : {}) },
    });
    if (failure) {
      throw new AdminError('kommo_failed', `Kommo refused or did not answer: ${failure}`);
    }
    return { tokenHealth: tokenState(after) };
  }

  /** Stops the account (the worker skips it) but keeps its tokens, so it can be enabled again. */
  async disable(id: string, actor: AdminUserView) {
    const before = await this.accounts.state(id);
    if (before.status === 'disabled') return { status: before.status };
    await this.installations.disableByAdmin(id);
    const after = await this.accounts.state(id);
    await this.audit.record({
      actor,
      action: 'account.disable',
      targetType: 'installation',
      targetId: id,
      before: { status: before.status },
      after: { status: after.status },
    });
    return { status: after.status };
  }

  /** Only an account that still holds tokens can work; without them it must install again. */
  async enable(id: string, actor: AdminUserView) {
    const before = await this.accounts.state(id);
    if (before.status === 'active') return { status: before.status };
    if (!(await this.installations.enableWithTokens(id))) {
      throw new AdminError(
        'no_tokens',
        'This account has no Kommo tokens (it was uninstalled or never finished installing); ' +
          'it must install the widget again.',
      );
    }
    const after = await this.accounts.state(id);
    await this.audit.record({
      actor,
      action: 'account.enable',
      targetType: 'installation',
      targetId: id,
      before: { status: before.status, authError: before.authError },
      after: { status: after.status },
    });
    return { status: after.status };
  }

  /**
   * Erases one lead's texts and conversation memory on request (support may), audited in the
   * same transaction; the entry holds counts only, never the erased texts.
   */
  async eraseLead(id: string, leadId: number, actor: AdminUserView): Promise<LeadEraseResult> {
    await this.accounts.state(id);
    return this.eraser.erase(id, leadId, (manager, result) =>
      this.audit.record(
        {
          actor,
          action: 'lead.erase',
          targetType: 'installation',
          targetId: id,
          before: { leadId },
          after: { ...result, installationId: id },
        },
        manager,
      ),
    );
  }

  async assignPlan(id: string, assignment: PlanAssignment, actor: AdminUserView) {
    const before = await this.accounts.state(id);
    await this.plans.assign(id, assignment);
    const after = await this.accounts.state(id);
    await this.audit.record({
      actor,
      action: 'account.change_plan',
      targetType: 'installation',
      targetId: id,
      before: planState(before),
      after: planState(after),
    });
    return planState(after);
  }

  async editPlan(
    id: string,
    change: { name?: string; monthlyRequests?: number },
    actor: AdminUserView,
  ): Promise<Plan> {
    const before = (await this.plans.list()).find((plan) => plan.id === id);
    if (!before) throw new PlanError('plan_not_found', `no plan ${id}`);
    const after = await this.plans.update(id, change);
    await this.audit.record({
      actor,
      action: 'plan.update',
      targetType: 'plan',
      targetId: id,
      before,
      after,
    });
    return after;
  }
}

function tokenState(state: Awaited<ReturnType<AdminAccountsService['state']>>) {
  return {
    status: state.status,
    expiresAt: state.tokenExpiresAt,
    lastRefreshAt: state.tokenRefreshedAt,
    authError: state.authError,
  };
}

function planState(state: Awaited<ReturnType<AdminAccountsService['state']>>): PlanAssignment {
  return {
    planId: state.planId,
    monthlyRequestsOverride: state.monthlyRequestsOverride,
    leadDailyCap: state.leadDailyCap,
  };
}
