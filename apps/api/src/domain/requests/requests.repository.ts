import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Pool, type PoolClient, type QueryResult } from 'pg';
import { type DataSource } from 'typeorm';
import { returnedRows } from '../../database/returning';
import { type WebhookKind } from '../installations/webhook-token';
import { type AiRequestColumns, type AiRequestRow } from './ai-request.entity';
import { type RequestMode, type RequestParams, type StoredErrorClass } from './ai-request.types';
import { INTAKE_PREPARE_SQL, intakeExecuteSql } from './intake-batch-sql';
import { HELD_LEAD_LOCKS_SQL, LEAD_LOCK_SQL } from './lead-lock';

/** One webhook to store, identified by its URL token's hash. */
export type TokenIntake = {
  tokenHash: Buffer;
  mode: RequestMode;
  leadId: number;
  deliveryKey: string;
  params: RequestParams;
  dedupeWindowSeconds: number;
};

/** What the intake statement answers per item. */
type IntakeRow = {
  idx: number;
  installation_id: string | null;
  kind: WebhookKind | null;
  status: string | null;
  request_id: string | null;
  duplicate_of: string | null;
};

/** The pool's connections on which the intake statements are prepared. */
const intakeReady = new WeakSet<PoolClient>();

/** `installationId` null: no such token; `requestId` null: the installation is not active. */
export type TokenIntakeResult = {
  installationId: string | null;
  kind: WebhookKind | null;
  status: string | null;
  requestId: string | null;
  duplicateOf: string | null;
};

const COLUMNS = `id, seq, installation_id, kind, mode, lead_id, status, params, attempts, provider,
  model, answer, log_line, error_class, error_message, reached_provider, stop_bot, received_at,
  extraction, extraction_writes`;

/** What COLUMNS selects, as pg returns it. */
type Selected = AiRequestColumns<keyof AiRequestRow>;

/**
 * `ai_requests` as the inbox: intake, the worker's reads and claims, the sweeper's look for lost
 * work. The other statements on the table, by concern: RequestOutcomesRepository (outcome and
 * end), RequestQuotaRepository, RequestLogRepository (admin reads, replays) and
 * RequestsRetentionRepository.
 */
@Injectable()
export class RequestsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Webhook acks (classic and widget_request), many in one transaction and one commit (intake-batch-sql.ts): for each,
   * the token's installation and, when it is active, the stored request or its duplicate's id.
   * Results come back in the order of `items`.
   */
  async intakeBatch(items: TokenIntake[]): Promise<TokenIntakeResult[]> {
    const payload = items.map((item) => ({
      h: item.tokenHash.toString('hex'),
      m: item.mode,
      l: item.leadId,
      k: item.deliveryKey,
      p: item.params,
      w: item.dedupeWindowSeconds,
    }));
    // The hottest statements we run: straight to pg's pool, without a TypeORM query runner.
    const client = await this.pool().connect();
    let result: QueryResult<IntakeRow>;
    try {
      if (!intakeReady.has(client)) {
        await client.query(INTAKE_PREPARE_SQL);
        intakeReady.add(client);
      }
      const sql = intakeExecuteSql(client.escapeLiteral(JSON.stringify(payload)));
      // A simple query of two statements answers with one result per statement.
      const results = (await client.query(sql)) as unknown as QueryResult<IntakeRow>[];
      result = results[1]!;
    } catch (error) {
      // The implicit transaction is rolled back; the connection, which may be in any state, is
      // not handed back to the pool (nor are its prepared statements).
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    client.release();
    const byIndex = new Map(result.rows.map((row) => [row.idx, row]));
    return items.map((_, i) => {
      const row = byIndex.get(i + 1);
      return {
        installationId: row?.installation_id ?? null,
        kind: row?.kind ?? null,
        status: row?.status ?? null,
        requestId: row?.request_id ?? null,
        duplicateOf: row?.duplicate_of ?? null,
      };
    });
  }

  /** A request we answered 4xx after the token matched: logged for the account, not processed. */
  async insertRejected(input: {
    installationId: string;
    kind: WebhookKind;
    mode: RequestMode;
    leadId: number | null;
    errorClass: StoredErrorClass;
    errorMessage: string;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO ai_requests (installation_id, kind, mode, lead_id, delivery_key, status,
                                error_class, error_message, finished_at)
       VALUES ($1, $2, $3, $4, 'rejected', 'rejected', $5, $6, now())`,
      [
        input.installationId,
        input.kind,
        input.mode,
        input.leadId,
        input.errorClass,
        input.errorMessage.slice(0, 500),
      ],
    );
  }

  /** The request log, newest first (widget and admin read it). */
  async recent(installationId: string, limit = 50): Promise<AiRequestRow[]> {
    const rows: Selected[] = await this.db.query(
      `SELECT ${COLUMNS} FROM ai_requests WHERE installation_id = $1
        ORDER BY received_at DESC LIMIT $2`,
      [installationId, Math.min(Math.max(1, limit), 500)],
    );
    return rows.map(toRow);
  }

  /** The lead's oldest unfinished request: answers go out in arrival order. */
  async nextPending(installationId: string, leadId: number): Promise<AiRequestRow | undefined> {
    const rows: Selected[] = await this.db.query(
      `SELECT ${COLUMNS} FROM ai_requests
        WHERE installation_id = $1 AND lead_id = $2
          AND status IN ('queued', 'processing', 'answered')
        ORDER BY seq LIMIT 1`,
      [installationId, leadId],
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /** Marks the request taken by a worker and counts the attempt. */
  async claim(id: string): Promise<number> {
    const result: unknown = await this.db.query(
      `UPDATE ai_requests
          SET status = CASE WHEN status = 'queued' THEN 'processing' ELSE status END,
              attempts = attempts + 1, started_at = coalesce(started_at, now())
        WHERE id = $1 AND status IN ('queued', 'processing', 'answered')
        RETURNING attempts`,
      [id],
    );
    return returnedRows<AiRequestColumns<'attempts'>>(result)[0]?.attempts ?? 0;
  }

  /** Takes back the attempt claim() counted: it was spent waiting out Kommo's block, not failing. */
  async returnAttempt(id: string): Promise<void> {
    await this.db.query(
      `UPDATE ai_requests SET attempts = greatest(attempts - 1, 0) WHERE id = $1`,
      [id],
    );
  }

  /**
   * Counts a start of the provider step, before the call: a second one for the same request is a
   * re-ask (the worker died before the first answer was stored), shown in the admin panel.
   * Returns the count with this one.
   */
  async beginAsk(id: string): Promise<number> {
    const result: unknown = await this.db.query(
      `UPDATE ai_requests SET provider_asks = provider_asks + 1 WHERE id = $1
       RETURNING provider_asks`,
      [id],
    );
    return returnedRows<AiRequestColumns<'providerAsks'>>(result)[0]?.provider_asks ?? 1;
  }

  private pool(): Pool {
    return (this.db.driver as unknown as { master: Pool }).master;
  }

  /**
   * Leads with requests acknowledged a while ago and not finished: their job was lost with
   * Redis, or is held by a worker that died. One entry per lead, oldest first. A lead whose
   * lock a worker holds is left out: it is in work, and its worker re-checks before it leaves.
   */
  async stalePending(
    olderThanMs: number,
    limit: number,
  ): Promise<{ installationId: string; leadId: number; id: string }[]> {
    const rows: AiRequestColumns<'installationId' | 'leadId' | 'id'>[] = await this.db.query(
      `WITH held AS MATERIALIZED (${HELD_LEAD_LOCKS_SQL})
       SELECT DISTINCT ON (installation_id, lead_id) installation_id, lead_id, id
         FROM ai_requests
        WHERE status IN ('queued', 'processing', 'answered')
          AND received_at < now() - make_interval(secs => $1)
          AND ${LEAD_LOCK_SQL} NOT IN (SELECT key FROM held)
        ORDER BY installation_id, lead_id, seq
        LIMIT $2`,
      [olderThanMs / 1000, limit],
    );
    return rows.map((row) => ({
      installationId: row.installation_id,
      leadId: Number(row.lead_id),
      id: row.id,
    }));
  }
}

function toRow(row: Selected): AiRequestRow {
  return {
    id: row.id,
    seq: Number(row.seq),
    installationId: row.installation_id,
    kind: row.kind,
    mode: row.mode,
    leadId: Number(row.lead_id),
    status: row.status,
    params: row.params,
    attempts: row.attempts,
    provider: row.provider,
    model: row.model,
    answer: row.answer,
    logLine: row.log_line,
    errorClass: row.error_class,
    errorMessage: row.error_message,
    reachedProvider: row.reached_provider,
    stopBot: row.stop_bot,
    receivedAt: row.received_at,
    extraction: row.extraction,
    extractionWrites: row.extraction_writes,
  };
}
