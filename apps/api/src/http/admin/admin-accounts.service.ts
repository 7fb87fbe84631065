import { type AccountDetail, type AccountListItem, connectionNotice } from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { AdminError } from './admin-errors';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { Clock } from '../../common/clock/clock';
import { ProviderSettingsService } from '../../domain/requests/provider-settings.service';
import { FieldsService } from '../../domain/fields/fields.service';
import { type InstallationStatus } from '../../domain/installations/installation.entity';
import {
  type AccountOverviewRow,
  InstallationsRepository,
} from '../../domain/installations/installations.repository';
import { type UsageSummary, UsageService } from '../../domain/plans/usage.service';
import { RequestLogRepository } from '../../domain/requests/request-log.repository';
import { AdminRequestsService } from './admin-requests.service';
import { isUuid } from '../../domain/staff/admin-users.service';

export type { AccountDetail, AccountListItem };

const LIST_LIMIT = 100;

/** Accounts as support sees them: search, health, usage and what is configured. */
@Injectable()
export class AdminAccountsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly installations: InstallationsRepository,
    private readonly clock: Clock,
    private readonly usage: UsageService,
    private readonly fields: FieldsService,
    private readonly providers: ProviderSettingsService,
    private readonly requests: AdminRequestsService,
    private readonly log: RequestLogRepository,
  ) {}

  /** `q`: part of a subdomain, or an exact Kommo account id or installation id. */
  async list(q: string | undefined): Promise<AccountListItem[]> {
    const now = this.clock.now();
    const term = q?.trim().toLowerCase() ?? '';
    const rows = await this.installations.searchOverview(term, now, LIST_LIMIT);
    return Promise.all(rows.map((row) => this.item(row, now)));
  }

  async usageOf(id: string, month?: string): Promise<UsageSummary> {
    if (!(isUuid(id) && (await this.installations.exists(id)))) {
      throw new AdminError('account_not_found', 'no such account');
    }
    return this.usage.summary(id, this.clock.now(), month);
  }

  async detail(id: string): Promise<AccountDetail> {
    const now = this.clock.now();
    const row = isUuid(id) ? await this.installations.overview(id, now) : undefined;
    if (!row) throw new AdminError('account_not_found', 'no such account');
    const kinds = await this.log.kindsOf(id);
    const [item, fields, provider, usageSummary, recentRequests] = await Promise.all([
      this.item(row, now),
      this.fields.activeFields(id),
      this.providers.view(id),
      this.usage.summary(id, now),
      this.requests.list({ account: id, limit: 20 }),
    ]);
    return {
      ...item,
      language: row.language,
      timezone: row.timezone,
      installedAt: row.installedAt?.toISOString() ?? null,
      disabledAt: row.disabledAt?.toISOString() ?? null,
      uninstalledAt: row.uninstalledAt?.toISOString() ?? null,
      purgedAt: row.purgedAt?.toISOString() ?? null,
      tokenHealth: {
        hasTokens: row.hasTokens,
        expiresAt: row.tokenExpiresAt?.toISOString() ?? null,
        lastRefreshAt: row.tokenRefreshedAt?.toISOString() ?? null,
        authError: row.authError,
        userIsAdmin: row.tokenUserIsAdmin,
        notice: connectionNotice(row.tokenUserIsAdmin),
      },
      fields,
      webhookKinds: kinds,
      provider,
      usageSummary,
      recentRequests,
    };
  }

  /** The columns actions report as before/after in the audit log. */
  async state(id: string): Promise<{
    status: InstallationStatus;
    planId: string;
    monthlyRequestsOverride: number | null;
    leadDailyCap: number | null;
    hasTokens: boolean;
    tokenExpiresAt: string | null;
    tokenRefreshedAt: string | null;
    authError: string | null;
  }> {
    const row = isUuid(id) ? await this.installations.overview(id, this.clock.now()) : undefined;
    if (!row) throw new AdminError('account_not_found', 'no such account');
    return {
      status: row.status,
      planId: row.planId,
      monthlyRequestsOverride: row.monthlyRequestsOverride,
      leadDailyCap: row.leadDailyCap,
      hasTokens: row.hasTokens,
      tokenExpiresAt: row.tokenExpiresAt?.toISOString() ?? null,
      tokenRefreshedAt: row.tokenRefreshedAt?.toISOString() ?? null,
      authError: row.authError,
    };
  }

  private async item(row: AccountOverviewRow, now: Date): Promise<AccountListItem> {
    const allowance = await this.usage.allowance(row.id, now);
    const used = await this.usage.used(row.id, allowance.monthStart, allowance.nextMonthStart);
    const finished = Number(row.finished7d);
    const failed = Number(row.failed7d);
    return {
      id: row.id,
      kommoAccountId: Number(row.kommoAccountId),
      subdomain: row.subdomain,
      host: row.host,
      status: row.status,
      plan: { id: row.planId, name: row.planName },
      monthlyRequestsOverride: row.monthlyRequestsOverride,
      leadDailyCap: row.leadDailyCap,
      usage: {
        month: allowance.monthStart.slice(0, 7),
        used,
        allowance: allowance.monthlyRequests,
      },
      lastRequestAt: row.lastRequestAt?.toISOString() ?? null,
      errorRate: finished === 0 ? null : failed / finished,
      finished7d: finished,
      failed7d: failed,
      reAsks7d: Number(row.reAsks7d),
      recovered7d: Number(row.recovered7d),
    };
  }
}
