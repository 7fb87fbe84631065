import { type AccountDetail, type AccountListItem, connectionNotice } from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { Clock } from '../../common/clock/clock';
import { ProviderSettingsService } from '../../domain/requests/provider-settings.service';
import { FieldsService } from '../../domain/fields/fields.service';
import { type InstallationStatus } from '../../domain/installations/installation.entity';
import { type UsageSummary, UsageService } from '../../domain/plans/usage.service';
import { AdminError } from './admin-errors';
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
  last_request_at: Date | null;
  finished_7d: string;
  failed_7d: string;
  re_asks_7d: string;
  recovered_7d: string;
};

// Token columns appear only as a yes/no: the envelopes never leave the database through here.
const SELECT = `SELECT i.id, i.kommo_account_id, i.subdomain, i.host, i.status, i.plan_id,
       p.name AS plan_name, i.monthly_requests_override, i.lead_daily_cap, i.language, i.timezone,
       i.installed_at, i.disabled_at, i.uninstalled_at, i.purged_at, i.token_expires_at, i.token_refreshed_at, i.auth_error,
       i.token_user_is_admin,
       (i.access_token_enc IS NOT NULL AND i.refresh_token_enc IS NOT NULL) AS has_tokens,
       (SELECT max(r.received_at) FROM ai_requests r WHERE r.installation_id = i.id) AS last_request_at,
       (SELECT count(*) FROM ai_requests r WHERE r.installation_id = i.id
           AND r.status IN ('done', 'failed', 'refused') AND r.finished_at > $1::timestamptz - interval '7 days') AS finished_7d,
       (SELECT count(*) FROM ai_requests r WHERE r.installation_id = i.id
           AND r.status = 'failed' AND r.finished_at > $1::timestamptz - interval '7 days') AS failed_7d,
       (SELECT coalesce(sum(r.provider_asks - 1 - r.answer_recovered::int), 0) FROM ai_requests r
         WHERE r.installation_id = i.id AND r.provider_asks > 1
           AND r.received_at > $1::timestamptz - interval '7 days') AS re_asks_7d,
       (SELECT count(*) FROM ai_requests r WHERE r.installation_id = i.id AND r.answer_recovered
           AND r.received_at > $1::timestamptz - interval '7 days') AS recovered_7d
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
  ) {}

  /** `q`: part of a subdomain, or an exact Kommo account id or installation id. */
  async list(q: string | undefined): Promise<AccountListItem[]> {
    const now = this.clock.now();
    const term = q?.trim().toLowerCase() ?? '';
    const rows: Row[] = await this.db.query(
      `${SELECT}
        WHERE $2 = ''
           OR i.subdomain LIKE '%' || $3 || '%'
           OR ($2 ~ '^[0-9]{1,15}$' AND i.kommo_account_id = (CASE WHEN $2 ~ '^[0-9]{1,15}$' THEN $2 END)::bigint)
           OR i.id::text = $2
        ORDER BY i.subdomain LIMIT ${LIST_LIMIT}`,
      [now, term, term.replace(/[\\%_]/g, (c) => `\\${c}`)],
    );
    return Promise.all(rows.map((row) => this.item(row, now)));
  }

  async usageOf(id: string, month?: string): Promise<UsageSummary> {
    const rows: { id: string }[] = isUuid(id)
      ? await this.db.query(`SELECT id FROM installations WHERE id = $1`, [id])
      : [];
    if (!rows[0]) throw new AdminError('account_not_found', 'no such account');
    return this.usage.summary(id, this.clock.now(), month);
  }

  async detail(id: string): Promise<AccountDetail> {
    const now = this.clock.now();
    const rows: Row[] = isUuid(id)
      ? await this.db.query(`${SELECT} WHERE i.id = $2`, [now, id])
      : [];
    const row = rows[0];
    if (!row) throw new AdminError('account_not_found', 'no such account');
    const kinds: { kind: string }[] = await this.db.query(
      `SELECT DISTINCT kind FROM ai_requests WHERE installation_id = $1 ORDER BY kind`,
      [id],
    );
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
      webhookKinds: kinds.map((k) => k.kind),
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
    const rows: Row[] = isUuid(id)
      ? await this.db.query(`${SELECT} WHERE i.id = $2`, [this.clock.now(), id])
      : [];
    const row = rows[0];
    if (!row) throw new AdminError('account_not_found', 'no such account');
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

  private async item(row: Row, now: Date): Promise<AccountListItem> {
    const allowance = await this.usage.allowance(row.id, now);
    const used = await this.usage.used(row.id, allowance.monthStart, allowance.nextMonthStart);
    const finished = Number(row.finished_7d);
    const failed = Number(row.failed_7d);
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
      lastRequestAt: row.last_request_at?.toISOString() ?? null,
      errorRate: finished === 0 ? null : failed / finished,
      finished7d: finished,
      failed7d: failed,
      reAsks7d: Number(row.re_asks_7d),
      recovered7d: Number(row.recovered_7d),
    };
  }
}
