import { type AccountDetail, type AccountListItem, connectionNotice } from '@gpt-bridge/shared';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { Clock } from '../../common/clock/clock';
import { ProviderSettingsService } from '../../domain/requests/provider-settings.service';
import { FieldsService } from '../../domain/fields/fields.service';
import { type InstallationStatus } from '../../domain/installations/installation.entity';
import { type UsageSummary, UsageService } from '../../domain/plans/usage.service';
import {
  type RequestActivity,
  RequestLogRepository,
} from '../../domain/requests/request-log.repository';
import { AdminRequestsService } from './admin-requests.service';
import { isUuid } from '../../domain/staff/admin-users.service';

export type { AccountDetail, AccountListItem };

type Row = {
  id: string;
  kommo_account_id: string;
  subdomain: string;
  host: string;
  status: InstallationStatus;
  plan_id: string;
  plan_name: string;
  monthly_requests_override: number | null;
  lead_daily_cap: number | null;
  language: string;
  timezone: string;
  installed_at: Date | null;
  disabled_at: Date | null;
  uninstalled_at: Date | null;
  purged_at: Date | null;
  token_expires_at: Date | null;
  token_refreshed_at: Date | null;
  auth_error: string | null;
  token_user_is_admin: boolean | null;
  has_tokens: boolean;
};

// Token columns appear only as a yes/no: the envelopes never leave the database through here.
const SELECT = `SELECT i.id, i.kommo_account_id, i.subdomain, i.host, i.status, i.plan_id,
       p.name AS plan_name, i.monthly_requests_override, i.lead_daily_cap, i.language, i.timezone,
       i.installed_at, i.disabled_at, i.uninstalled_at, i.purged_at, i.token_expires_at, i.token_refreshed_at, i.auth_error,
       i.token_user_is_admin,
       (i.access_token_enc IS NOT NULL AND i.refresh_token_enc IS NOT NULL) AS has_tokens
  FROM installations i JOIN plans p ON p.id = i.plan_id`;

const LIST_LIMIT = 100;

/** Accounts as support sees them: search, health, usage and what is configured. */
@Injectable()
export class AdminAccountsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
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
    const rows: Row[] = await this.db.query(
      `${SELECT}
        WHERE $1 = ''
           OR i.subdomain LIKE '%' || $2 || '%'
           OR ($1 ~ '^[0-9]{1,15}$' AND i.kommo_account_id = (CASE WHEN $1 ~ '^[0-9]{1,15}$' THEN $1 END)::bigint)
           OR i.id::text = $1
        ORDER BY i.subdomain LIMIT ${LIST_LIMIT}`,
      [term, term.replace(/[\\%_]/g, (c) => `\\${c}`)],
    );
    const activity = await this.log.activity(
      rows.map((row) => row.id),
      now,
    );
    return Promise.all(rows.map((row) => this.item(row, activity.get(row.id), now)));
  }

  async usageOf(id: string, month?: string): Promise<UsageSummary> {
    const rows: { id: string }[] = isUuid(id)
      ? await this.db.query(`SELECT id FROM installations WHERE id = $1`, [id])
      : [];
    if (!rows[0]) throw new NotFoundException('no such account');
    return this.usage.summary(id, this.clock.now(), month);
  }

  async detail(id: string): Promise<AccountDetail> {
    const now = this.clock.now();
    const rows: Row[] = isUuid(id) ? await this.db.query(`${SELECT} WHERE i.id = $1`, [id]) : [];
    const row = rows[0];
    if (!row) throw new NotFoundException('no such account');
    const kinds = await this.log.kindsOf(id);
    const activity = await this.log.activity([id], now);
    const [item, fields, provider, usageSummary, recentRequests] = await Promise.all([
      this.item(row, activity.get(id), now),
      this.fields.activeFields(id),
      this.providers.view(id),
      this.usage.summary(id, now),
      this.requests.list({ account: id, limit: 20 }),
    ]);
    return {
      ...item,
      language: row.language,
      timezone: row.timezone,
      installedAt: row.installed_at?.toISOString() ?? null,
      disabledAt: row.disabled_at?.toISOString() ?? null,
      uninstalledAt: row.uninstalled_at?.toISOString() ?? null,
      purgedAt: row.purged_at?.toISOString() ?? null,
      tokenHealth: {
        hasTokens: row.has_tokens,
        expiresAt: row.token_expires_at?.toISOString() ?? null,
        lastRefreshAt: row.token_refreshed_at?.toISOString() ?? null,
        authError: row.auth_error,
        userIsAdmin: row.token_user_is_admin,
        notice: connectionNotice(row.token_user_is_admin),
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
    const rows: Row[] = isUuid(id) ? await this.db.query(`${SELECT} WHERE i.id = $1`, [id]) : [];
    const row = rows[0];
    if (!row) throw new NotFoundException('no such account');
    return {
      status: row.status,
      planId: row.plan_id,
      monthlyRequestsOverride: row.monthly_requests_override,
      leadDailyCap: row.lead_daily_cap,
      hasTokens: row.has_tokens,
      tokenExpiresAt: row.token_expires_at?.toISOString() ?? null,
      tokenRefreshedAt: row.token_refreshed_at?.toISOString() ?? null,
      authError: row.auth_error,
    };
  }

  private async item(
    row: Row,
    activity: RequestActivity | undefined,
    now: Date,
  ): Promise<AccountListItem> {
    const allowance = await this.usage.allowance(row.id, now);
    const used = await this.usage.used(row.id, allowance.monthStart, allowance.nextMonthStart);
    const finished = activity?.finished7d ?? 0;
    const failed = activity?.failed7d ?? 0;
    return {
      id: row.id,
      kommoAccountId: Number(row.kommo_account_id),
      subdomain: row.subdomain,
      host: row.host,
      status: row.status,
      plan: { id: row.plan_id, name: row.plan_name },
      monthlyRequestsOverride: row.monthly_requests_override,
      leadDailyCap: row.lead_daily_cap,
      usage: {
        month: allowance.monthStart.slice(0, 7),
        used,
        allowance: allowance.monthlyRequests,
      },
      lastRequestAt: activity?.lastRequestAt?.toISOString() ?? null,
      errorRate: finished === 0 ? null : failed / finished,
      finished7d: finished,
      failed7d: failed,
      reAsks7d: activity?.reAsks7d ?? 0,
      recovered7d: activity?.recovered7d ?? 0,
    };
  }
}
