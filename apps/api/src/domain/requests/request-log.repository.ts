import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type RawRow } from '../../database/raw-row';
import { type Installation } from '../installations/installation.entity';
import { type AiRequest, type AiRequestColumns } from './ai-request.entity';

/** A request as the admin panel lists it, with its account's names. */
export type RequestLogRow = AiRequestColumns<
  | 'id'
  | 'installationId'
  | 'kind'
  | 'mode'
  | 'leadId'
  | 'status'
  | 'provider'
  | 'model'
  | 'latencyMs'
  | 'inputTokens'
  | 'outputTokens'
  | 'totalTokens'
  | 'errorClass'
  | 'errorMessage'
  | 'logLine'
  | 'attempts'
  | 'receivedAt'
  | 'finishedAt'
  | 'replayOf'
  | 'duplicateOf'
  | 'textsRemovedAt'
> &
  RawRow<Installation, 'subdomain' | 'kommoAccountId', { kommoAccountId: string }>;

/** The log's filter, checked by the caller. `account` is one of an account's three names. */
export type RequestLogFilter = {
  account?: { installationId: string } | { kommoAccountId: string } | { subdomain: string };
  kind?: string;
  status?: string;
  from: Date | null;
  to: Date | null;
  limit: number;
};

/** An account's requests over the 7 days before a moment, as its admin list shows them. */
export type RequestActivity = {
  lastRequestAt: Date | null;
  finished7d: number;
  failed7d: number;
  reAsks7d: number;
  recovered7d: number;
};

// Named columns only: params and the answer (customer content) are not part of the admin view.
const SELECT = `SELECT r.id, r.installation_id, i.subdomain, i.kommo_account_id, r.kind, r.mode,
       r.lead_id, r.status, r.provider, r.model, r.latency_ms, r.input_tokens, r.output_tokens,
       r.total_tokens, r.error_class, r.error_message, r.log_line, r.attempts, r.received_at,
       r.finished_at, r.replay_of, r.duplicate_of, r.texts_removed_at
  FROM ai_requests r JOIN installations i ON i.id = r.installation_id`;

/** count(*) and sum(int) are int8 and numeric: pg returns them as text. */
type ActivityRow = RawRow<Installation, 'id'> & {
  last_request_at: Date | null;
  finished_7d: string;
  failed_7d: string;
  re_asks_7d: string;
  recovered_7d: string;
};

/** `ai_requests` as the admin panel reads it across accounts, and its replays. */
@Injectable()
export class RequestLogRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Newest first. */
  async list(filter: RequestLogFilter): Promise<RequestLogRow[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      conditions.push(sql(`$${params.length}`));
    };
    const account = filter.account;
    if (account) {
      // The account's installations first, then their rows by installation id: filtered
      // through the join, PostgreSQL walked every account's newest rows to find 50 of one
      // (10,800 buffers against 69 at 500,000 rows; docs/scaling.md "At scale").
      const ids = await this.installationIds(account);
      if (ids.length === 0) return [];
      if (ids.length === 1) add((p) => `r.installation_id = ${p}::uuid`, ids[0]);
      else add((p) => `r.installation_id = ANY(${p}::uuid[])`, ids);
    }
    if (filter.kind) add((p) => `r.kind = ${p}`, filter.kind);
    if (filter.status) add((p) => `r.status = ${p}`, filter.status);
    if (filter.from) add((p) => `r.received_at >= ${p}`, filter.from);
    if (filter.to) add((p) => `r.received_at < ${p}`, filter.to);
    params.push(filter.limit);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows: RequestLogRow[] = await this.db.query(
      `${SELECT} ${where} ORDER BY r.received_at DESC, r.seq DESC LIMIT $${params.length}`,
      params,
    );
    return rows;
  }

  /** The installations an account name points at (a renamed subdomain may name two). */
  private async installationIds(
    account: NonNullable<RequestLogFilter['account']>,
  ): Promise<string[]> {
    if ('installationId' in account) return [account.installationId];
    const rows: { id: string }[] =
      'kommoAccountId' in account
        ? await this.db.query(`SELECT id FROM installations WHERE kommo_account_id = $1::bigint`, [
            account.kommoAccountId,
          ])
        : await this.db.query(`SELECT id FROM installations WHERE subdomain = $1`, [
            account.subdomain,
          ]);
    return rows.map((row) => row.id);
  }

  async get(id: string): Promise<RequestLogRow | undefined> {
    const rows: RequestLogRow[] = await this.db.query(`${SELECT} WHERE r.id = $1`, [id]);
    return rows[0];
  }

  /**
   * A new `queued` row repeating failed request `id` (same account, kind, mode, lead and params)
   * and linked to it, in the caller's transaction; undefined when the request is no longer a
   * failed one with its texts.
   */
  async insertReplay(
    manager: EntityManager,
    id: string,
    deliveryKey: string,
  ): Promise<AiRequestColumns<'id' | 'installationId' | 'leadId'> | undefined> {
    const rows: AiRequestColumns<'id' | 'installationId' | 'leadId'>[] = await manager.query(
      `INSERT INTO ai_requests (installation_id, kind, mode, lead_id, delivery_key, status, params,
                                  replay_of)
         SELECT installation_id, kind, mode, lead_id, $2, 'queued', params, id
           FROM ai_requests WHERE id = $1 AND status = 'failed' AND texts_removed_at IS NULL
         RETURNING id, installation_id, lead_id`,
      [id, deliveryKey],
    );
    return rows[0];
  }

  /** The webhook kinds an account has used, by name. */
  async kindsOf(installationId: string): Promise<AiRequest['kind'][]> {
    const kinds: AiRequestColumns<'kind'>[] = await this.db.query(
      `SELECT DISTINCT kind FROM ai_requests WHERE installation_id = $1 ORDER BY kind`,
      [installationId],
    );
    return kinds.map((k) => k.kind);
  }

  /** Each account's last request and its counts over the 7 days before `now`. */
  async activity(installationIds: string[], now: Date): Promise<Map<string, RequestActivity>> {
    const rows: ActivityRow[] = await this.db.query(
      `SELECT i.id,
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
  FROM unnest($2::uuid[]) AS i(id)`,
      [now, installationIds],
    );
    return new Map(
      rows.map((row) => [
        row.id,
        {
          lastRequestAt: row.last_request_at,
          finished7d: Number(row.finished_7d),
          failed7d: Number(row.failed_7d),
          reAsks7d: Number(row.re_asks_7d),
          recovered7d: Number(row.recovered_7d),
        },
      ]),
    );
  }
}
