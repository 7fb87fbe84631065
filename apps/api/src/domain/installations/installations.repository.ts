import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { returnedRows } from '../../database/returning';
import { type Tx } from '../../database/transactions.repository';
import { Installation } from './installation.entity';
import { PURGE_DUE_SQL } from './purge-due';

/** The row an install finds for the account, locked until the install commits. */
export type ExistingInstall = Pick<Installation, 'id' | 'status' | 'tokenUserIsAdmin'> & {
  hasToken: boolean;
};

/** What an install learned about the account and who authorized. */
export type InstalledAccount = Pick<
  Installation,
  'kommoAccountId' | 'subdomain' | 'host' | 'language' | 'timezone' | 'tokenUserId'
> & { tokenUserIsAdmin: boolean | null };

/** The stored token envelopes and where to use them. */
export type TokenRow = Pick<
  Installation,
  'id' | 'host' | 'subdomain' | 'status' | 'accessTokenEnc' | 'refreshTokenEnc' | 'tokenExpiresAt'
>;

export type RelocationRow = Pick<
  Installation,
  'kommoAccountId' | 'host' | 'subdomain' | 'refreshTokenEnc'
>;

export type AccountChange = Pick<Installation, 'subdomain' | 'host' | 'language' | 'timezone'>;

export type PlanColumns = Pick<Installation, 'planId' | 'monthlyRequestsOverride' | 'leadDailyCap'>;

/** An account as support sees it: its row, its plan's name and its requests of the last 7 days. */
export type AccountOverviewRow = Pick<
  Installation,
  | 'id'
  | 'subdomain'
  | 'host'
  | 'status'
  | 'planId'
  | 'monthlyRequestsOverride'
  | 'leadDailyCap'
  | 'language'
  | 'timezone'
  | 'installedAt'
  | 'disabledAt'
  | 'uninstalledAt'
  | 'purgedAt'
  | 'tokenExpiresAt'
  | 'tokenRefreshedAt'
  | 'authError'
  | 'tokenUserIsAdmin'
> & {
  /** bigint columns and counts come back from pg as text. */
  kommoAccountId: string;
  planName: string;
  hasTokens: boolean;
  lastRequestAt: Date | null;
  finished7d: string;
  failed7d: string;
  reAsks7d: string;
  recovered7d: string;
};

// Token columns appear only as a yes/no: the envelopes never leave the database through here.
// The request counts read ai_requests (the requests module's table) for this one report.
const OVERVIEW = `SELECT i.id, i.kommo_account_id AS "kommoAccountId", i.subdomain, i.host, i.status,
       i.plan_id AS "planId", p.name AS "planName",
       i.monthly_requests_override AS "monthlyRequestsOverride", i.lead_daily_cap AS "leadDailyCap",
       i.language, i.timezone, i.installed_at AS "installedAt", i.disabled_at AS "disabledAt",
       i.uninstalled_at AS "uninstalledAt", i.purged_at AS "purgedAt",
       i.token_expires_at AS "tokenExpiresAt", i.token_refreshed_at AS "tokenRefreshedAt",
       i.auth_error AS "authError", i.token_user_is_admin AS "tokenUserIsAdmin",
       (i.access_token_enc IS NOT NULL AND i.refresh_token_enc IS NOT NULL) AS "hasTokens",
       (SELECT max(r.received_at) FROM ai_requests r WHERE r.installation_id = i.id) AS "lastRequestAt",
       (SELECT count(*) FROM ai_requests r WHERE r.installation_id = i.id
           AND r.status IN ('done', 'failed', 'refused') AND r.finished_at > $1::timestamptz - interval '7 days') AS "finished7d",
       (SELECT count(*) FROM ai_requests r WHERE r.installation_id = i.id
           AND r.status = 'failed' AND r.finished_at > $1::timestamptz - interval '7 days') AS "failed7d",
       (SELECT coalesce(sum(r.provider_asks - 1 - r.answer_recovered::int), 0) FROM ai_requests r
         WHERE r.installation_id = i.id AND r.provider_asks > 1
           AND r.received_at > $1::timestamptz - interval '7 days') AS "reAsks7d",
       (SELECT count(*) FROM ai_requests r WHERE r.installation_id = i.id AND r.answer_recovered
           AND r.received_at > $1::timestamptz - interval '7 days') AS "recovered7d"
  FROM installations i JOIN plans p ON p.id = i.plan_id`;

/** installations: one row per Kommo account, with its tokens (as envelopes) and its plan. */
@Injectable()
export class InstallationsRepository {
  constructor(
    @InjectRepository(Installation) private readonly installations: Repository<Installation>,
  ) {}

  findById(id: string, tx: Tx = this.installations.manager): Promise<Installation | null> {
    return tx.findOneBy(Installation, { id });
  }

  findByIdOrFail(id: string, tx: Tx = this.installations.manager): Promise<Installation> {
    return tx.findOneByOrFail(Installation, { id });
  }

  findByKommoAccount(kommoAccountId: number): Promise<Installation | null> {
    return this.installations.findOneBy({ kommoAccountId });
  }

  async exists(id: string): Promise<boolean> {
    return this.installations.existsBy({ id });
  }

  /**
   * Accounts whose subdomain contains `term` or whose Kommo account id or id is `term`
   * (all when it is empty), by subdomain; `now` ends the 7 days counted.
   */
  searchOverview(term: string, now: Date, limit: number): Promise<AccountOverviewRow[]> {
    return this.installations.query(
      `${OVERVIEW}
        WHERE $2 = ''
           OR i.subdomain LIKE '%' || $3 || '%'
           OR ($2 ~ '^[0-9]{1,15}$' AND i.kommo_account_id = (CASE WHEN $2 ~ '^[0-9]{1,15}$' THEN $2 END)::bigint)
           OR i.id::text = $2
        ORDER BY i.subdomain LIMIT ${limit}`,
      [now, term, term.replace(/[\\%_]/g, (c) => `\\${c}`)],
    );
  }

  async overview(id: string, now: Date): Promise<AccountOverviewRow | undefined> {
    const rows: AccountOverviewRow[] = await this.installations.query(
      `${OVERVIEW} WHERE i.id = $2`,
      [now, id],
    );
    return rows[0];
  }

  async lockByKommoAccount(tx: Tx, kommoAccountId: number): Promise<ExistingInstall | undefined> {
    const rows: ExistingInstall[] = await tx.query(
      `SELECT id, status, token_user_is_admin AS "tokenUserIsAdmin",
              refresh_token_enc IS NOT NULL AS "hasToken"
         FROM installations WHERE kommo_account_id = $1 FOR UPDATE`,
      [kommoAccountId],
    );
    return rows[0];
  }

  /** Inserts or revives the account's row as active; returns its id. */
  async upsertActive(tx: Tx, account: InstalledAccount): Promise<string> {
    const rows: Pick<Installation, 'id'>[] = await tx.query(
      `INSERT INTO installations
              (kommo_account_id, subdomain, host, language, timezone, status, installed_at,
               token_user_id, token_user_is_admin)
       VALUES ($1, $2, $3, $4, $5, 'active', now(), $6, $7)
       ON CONFLICT (kommo_account_id) DO UPDATE
          SET subdomain = EXCLUDED.subdomain, host = EXCLUDED.host,
              language = EXCLUDED.language, timezone = EXCLUDED.timezone,
              status = 'active', installed_at = now(),
              token_user_id = EXCLUDED.token_user_id,
              token_user_is_admin = EXCLUDED.token_user_is_admin,
              auth_error = NULL, disabled_at = NULL, uninstalled_at = NULL,
              purged_at = NULL, updated_at = now()
       RETURNING id`,
      [
        account.kommoAccountId,
        account.subdomain,
        account.host,
        account.language,
        account.timezone,
        account.tokenUserId,
        account.tokenUserIsAdmin,
      ],
    );
    const id = rows[0]?.id;
    if (!id) throw new Error('installation upsert returned no row');
    return id;
  }

  /** A not-disabled installation on this host, if any. */
  async idOnHost(host: string): Promise<string | undefined> {
    const rows: Pick<Installation, 'id'>[] = await this.installations.query(
      `SELECT id FROM installations WHERE host = $1 AND status <> 'disabled' LIMIT 1`,
      [host],
    );
    return rows[0]?.id;
  }

  /** Kommo's uninstall: disabled without tokens. False when it was uninstalled already. */
  async markUninstalled(kommoAccountId: number): Promise<boolean> {
    const result: unknown = await this.installations.query(
      `UPDATE installations
          SET status = 'disabled', disabled_at = coalesce(disabled_at, now()),
              uninstalled_at = now(), access_token_enc = NULL, refresh_token_enc = NULL,
              token_expires_at = NULL, updated_at = now()
        WHERE kommo_account_id = $1 AND uninstalled_at IS NULL
        RETURNING id`,
      [kommoAccountId],
    );
    return returnedRows(result).length > 0;
  }

  async readTokens(id: string, tx: Tx = this.installations.manager): Promise<TokenRow | undefined> {
    const rows: TokenRow[] = await tx.query(
      `SELECT id, host, subdomain, status, access_token_enc AS "accessTokenEnc",
              refresh_token_enc AS "refreshTokenEnc", token_expires_at AS "tokenExpiresAt"
         FROM installations WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async storeTokens(
    tx: Tx,
    id: string,
    tokens: { accessTokenEnc: string; refreshTokenEnc: string; expiresAt: Date },
  ): Promise<void> {
    await tx.query(
      `UPDATE installations
          SET access_token_enc = $2, refresh_token_enc = $3, token_expires_at = $4,
              token_refreshed_at = now(), updated_at = now()
        WHERE id = $1`,
      [id, tokens.accessTokenEnc, tokens.refreshTokenEnc, tokens.expiresAt],
    );
  }

  async markAuthFailed(tx: Tx, id: string, authError: string): Promise<void> {
    await tx.query(
      `UPDATE installations SET status = 'auth_failed', auth_error = $2, updated_at = now()
        WHERE id = $1 AND status <> 'disabled'`,
      [id, authError],
    );
  }

  /** Active installations whose access token expires within `aheadMs`. */
  async idsExpiringWithin(aheadMs: number): Promise<string[]> {
    const rows: Pick<Installation, 'id'>[] = await this.installations.query(
      `SELECT id FROM installations
        WHERE status = 'active' AND token_expires_at < now() + ($1 || ' milliseconds')::interval`,
      [String(aheadMs)],
    );
    return rows.map((row) => row.id);
  }

  async readForRelocation(tx: Tx, id: string): Promise<RelocationRow | undefined> {
    const rows: (Omit<RelocationRow, 'kommoAccountId'> & { kommoAccountId: string })[] =
      await tx.query(
        `SELECT kommo_account_id AS "kommoAccountId", host, subdomain,
                refresh_token_enc AS "refreshTokenEnc"
           FROM installations WHERE id = $1`,
        [id],
      );
    const row = rows[0];
    return row && { ...row, kommoAccountId: Number(row.kommoAccountId) };
  }

  async moveHost(tx: Tx, id: string, host: string, subdomain: string): Promise<void> {
    await tx.query(
      `UPDATE installations SET host = $2, subdomain = $3, updated_at = now() WHERE id = $1`,
      [id, host, subdomain],
    );
  }

  async updateAccount(id: string, change: AccountChange): Promise<void> {
    await this.installations.update(id, change);
  }

  /** False when there is no such installation. */
  async assignPlan(id: string, plan: PlanColumns): Promise<boolean> {
    const result: unknown = await this.installations.query(
      `UPDATE installations SET plan_id = $2, monthly_requests_override = $3, lead_daily_cap = $4,
              updated_at = now()
        WHERE id = $1 RETURNING id`,
      [id, plan.planId, plan.monthlyRequestsOverride, plan.leadDailyCap],
    );
    return returnedRows(result).length > 0;
  }

  /** The owner's monthly cost cap (USD; null = none). False when there is no such installation. */
  async setCostCap(id: string, capUsd: number | null): Promise<boolean> {
    const result: unknown = await this.installations.query(
      `UPDATE installations SET monthly_cost_cap_usd = $2, updated_at = now()
        WHERE id = $1 RETURNING id`,
      [id, capUsd],
    );
    return returnedRows(result).length > 0;
  }

  /** An admin's disable: the tokens stay, so it can be enabled again. */
  async disableByAdmin(id: string): Promise<void> {
    await this.installations.query(
      `UPDATE installations SET status = 'disabled', disabled_at = now(), updated_at = now()
        WHERE id = $1`,
      [id],
    );
  }

  /** False when the installation holds no tokens (it must install again). */
  async enableWithTokens(id: string): Promise<boolean> {
    const result: unknown = await this.installations.query(
      `UPDATE installations SET status = 'active', disabled_at = NULL, auth_error = NULL,
              updated_at = now()
        WHERE id = $1 AND access_token_enc IS NOT NULL AND refresh_token_enc IS NOT NULL
        RETURNING id`,
      [id],
    );
    return returnedRows(result).length > 0;
  }

  /** Installations uninstalled more than `days` ago whose data is still here, oldest first. */
  async purgeDue(days: number, limit: number): Promise<string[]> {
    const rows: Pick<Installation, 'id'>[] = await this.installations.query(
      `SELECT id FROM installations
        WHERE uninstalled_at < now() - make_interval(days => $1) AND purged_at IS NULL
        ORDER BY uninstalled_at LIMIT $2`,
      [days, limit],
    );
    return rows.map((row) => row.id);
  }

  /** Locks the row for the purge's last step; false when a reinstall came first. */
  async lockIfPurgeDue(tx: Tx, id: string, days: number): Promise<boolean> {
    const due: unknown[] = await tx.query(`${PURGE_DUE_SQL} FOR UPDATE`, [id, days]);
    return due.length > 0;
  }

  /** The purge's end: tokens and who authorized are gone; the row and its counts stay. */
  async clearPurged(tx: Tx, id: string): Promise<void> {
    await tx.query(
      `UPDATE installations
          SET purged_at = now(), access_token_enc = NULL, refresh_token_enc = NULL,
              token_expires_at = NULL, token_user_id = NULL, token_user_is_admin = NULL,
              auth_error = NULL, updated_at = now()
        WHERE id = $1`,
      [id],
    );
  }
}
