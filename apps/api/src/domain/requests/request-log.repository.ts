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

// Named columns only: params and the answer (customer content) are not part of the admin view.
const SELECT = `SELECT r.id, r.installation_id, i.subdomain, i.kommo_account_id, r.kind, r.mode,
       r.lead_id, r.status, r.provider, r.model, r.latency_ms, r.input_tokens, r.output_tokens,
       r.total_tokens, r.error_class, r.error_message, r.log_line, r.attempts, r.received_at,
       r.finished_at, r.replay_of, r.duplicate_of, r.texts_removed_at
  FROM ai_requests r JOIN installations i ON i.id = r.installation_id`;

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
}
