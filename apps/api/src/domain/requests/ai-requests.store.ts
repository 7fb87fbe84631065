import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Pool } from 'pg';
import { type DataSource } from 'typeorm';
import { returnedRows } from '../../database/returning';
import { type WebhookKind } from '../installations/webhook-token';
import {
  type AiRequestRow,
  type AiRequestStatus,
  type RequestMode,
  type RequestOutcome,
  type RequestParams,
  type StoredErrorClass,
} from './ai-request.types';
import { upsertMemorySql } from './conversation-memory';
import { HELD_LEAD_LOCKS_SQL, LEAD_LOCK_SQL } from './lead-lock';

export type IntakeInput = {
  installationId: string;
  kind: WebhookKind;
  mode: RequestMode;
  leadId: number;
  deliveryKey: string;
  params: RequestParams;
  dedupeWindowSeconds: number;
};

type Row = Record<string, unknown>;

/** One classic webhook to store, identified by its URL token's hash. */
export type TokenIntake = {
  tokenHash: Buffer;
  mode: RequestMode;
  leadId: number;
  deliveryKey: string;
  params: RequestParams;
  dedupeWindowSeconds: number;
};

/** `installationId` null: no such token; `requestId` null: the installation is not active. */
export type TokenIntakeResult = {
  installationId: string | null;
  kind: WebhookKind | null;
  status: string | null;
  requestId: string | null;
  duplicateOf: string | null;
};

const COLUMNS = `id, seq, installation_id, kind, mode, lead_id, status, params, attempts, provider,
  model, answer, log_line, error_class, error_message, reached_provider, stop_bot, received_at`;

/** Every SQL statement on `ai_requests` and `usage_daily`: the inbox, the log and the counters. */
@Injectable()
export class AiRequestsStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Stores an acknowledged request, or logs it as a duplicate of a delivery seen within the
   * window; one statement (the `ai_intake` function takes an advisory lock on the key, so two
   * identical deliveries arriving together see each other).
   */
  async insertIntake(input: IntakeInput): Promise<{ id: string; duplicateOf: string | null }> {
    const rows: { request_id: string; duplicate_of: string | null }[] = await this.db.query(
      `SELECT request_id, duplicate_of FROM ai_intake($1, $2, $3, $4, $5, $6, $7)`,
      [
        input.installationId,
        input.kind,
        input.mode,
        input.leadId,
        input.deliveryKey,
        JSON.stringify(input.params),
        input.dedupeWindowSeconds,
      ],
    );
    const row = rows[0];
    if (!row) throw new Error('ai_intake returned no row');
    return { id: row.request_id, duplicateOf: row.duplicate_of };
  }

  /**
   * Classic webhook acks, many in one statement and one commit (`ai_intake_batch`): for each,
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
    // The hottest statement we run: straight to pg's pool, without a TypeORM query runner.
    const result = await this.pool().query<{
      idx: number;
      installation_id: string | null;
      kind: WebhookKind | null;
      status: string | null;
      request_id: string | null;
      duplicate_of: string | null;
    }>(`SELECT * FROM ai_intake_batch($1)`, [JSON.stringify(payload)]);
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
    const rows: Row[] = await this.db.query(
      `SELECT ${COLUMNS} FROM ai_requests WHERE installation_id = $1
        ORDER BY received_at DESC LIMIT $2`,
      [installationId, Math.min(Math.max(1, limit), 500)],
    );
    return rows.map(toRow);
  }

  /** The lead's oldest unfinished request: answers go out in arrival order. */
  async nextPending(installationId: string, leadId: number): Promise<AiRequestRow | undefined> {
    const rows: Row[] = await this.db.query(
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
    return returnedRows<{ attempts: number }>(result)[0]?.attempts ?? 0;
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
    return returnedRows<{ provider_asks: number }>(result)[0]?.provider_asks ?? 1;
  }

  /**
   * Stores the outcome, and the lead's provider memory that came with it, in one statement (one
   * round trip, one commit) the moment the provider step returns, before anything is written to
   * Kommo: a crash after it never asks the provider again, and a crash before it leaves neither
   * (a re-ask then sends the history as it was, not with the lost turn in it). The memory is
   * written only when the outcome is.
   */
  async saveOutcome(
    row: Pick<AiRequestRow, 'id' | 'installationId' | 'leadId'>,
    outcome: RequestOutcome,
  ): Promise<void> {
    const answer = outcome.kind === 'answer';
    const memory = answer ? outcome.memory : null;
    const update = `UPDATE ai_requests
          SET status = 'answered', answered_at = now(), answer = $2, log_line = $3,
              provider = $4, model = $5, latency_ms = $6, input_tokens = $7, output_tokens = $8,
              total_tokens = $9, reached_provider = $10, error_class = $11, error_message = $12,
              stop_bot = $13, answer_recovered = $14
        WHERE id = $1 AND status IN ('queued', 'processing')`;
    const params: unknown[] = [
      row.id,
      answer ? outcome.answer : null,
      outcome.logLine,
      outcome.provider,
      outcome.model,
      outcome.latencyMs,
      answer ? outcome.inputTokens : null,
      answer ? outcome.outputTokens : null,
      answer ? outcome.totalTokens : null,
      answer,
      answer ? null : outcome.errorClass,
      answer ? null : outcome.errorMessage.slice(0, 500),
      answer ? false : outcome.stopBot,
      answer ? outcome.recovered : false,
    ];
    if (!memory) {
      await this.db.query(update, params);
      return;
    }
    await this.db.query(
      `WITH stored AS (${update} RETURNING installation_id, lead_id)
       ${upsertMemorySql('SELECT installation_id, lead_id, $15, $16::jsonb FROM stored')}`,
      [...params, memory.providerKey, JSON.stringify(memory.state)],
    );
  }

  /**
   * Ends a request. Usage is counted here, in the same transaction and only on the
   * `answered` → `done` step, so a request is counted once and only when a provider answered.
   */
  async finish(
    id: string,
    status: Extract<AiRequestStatus, 'done' | 'failed' | 'refused'>,
    at: Date,
    failure?: { errorClass: StoredErrorClass; errorMessage: string },
  ): Promise<{ counted: boolean; installationId: string; leadId: number } | null> {
    return this.db.transaction(async (manager) => {
      // The day a request counts for is the account's local day at `at`.
      const result: unknown = await manager.query(
        `UPDATE ai_requests r
            SET status = $2, finished_at = now(),
                error_class = coalesce($3, r.error_class),
                error_message = coalesce($4, r.error_message),
                counted_on = CASE WHEN $2 = 'done' AND r.reached_provider
                                  THEN ($5::timestamptz AT TIME ZONE i.timezone)::date END
           FROM installations i
          WHERE r.id = $1 AND i.id = r.installation_id
            AND r.status IN ('queued', 'processing', 'answered')
          RETURNING r.installation_id, r.lead_id, r.kind, r.total_tokens, r.counted_on`,
        [
          id,
          status,
          failure?.errorClass ?? null,
          failure?.errorMessage.slice(0, 500) ?? null,
          at.toISOString(),
        ],
      );
      const row = returnedRows<{
        installation_id: string;
        lead_id: string;
        kind: string;
        total_tokens: number | null;
        counted_on: Date | null;
      }>(result)[0];
      if (!row) return null;
      const done = { installationId: row.installation_id, leadId: Number(row.lead_id) };
      if (row.counted_on === null) return { ...done, counted: false };
      await manager.query(
        `INSERT INTO usage_daily (installation_id, day, kind, requests, tokens)
         SELECT installation_id, counted_on, kind, 1, coalesce(total_tokens, 0)
           FROM ai_requests WHERE id = $1
         ON CONFLICT (installation_id, day, kind)
         DO UPDATE SET requests = usage_daily.requests + 1,
                       tokens = usage_daily.tokens + EXCLUDED.tokens`,
        [id],
      );
      return { ...done, counted: true };
    });
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
    const rows: { installation_id: string; lead_id: string; id: string }[] = await this.db.query(
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

function toRow(row: Row): AiRequestRow {
  return {
    id: row.id as string,
    seq: Number(row.seq),
    installationId: row.installation_id as string,
    kind: row.kind as AiRequestRow['kind'],
    mode: row.mode as RequestMode,
    leadId: Number(row.lead_id),
    status: row.status as AiRequestStatus,
    params: row.params as RequestParams,
    attempts: Number(row.attempts),
    provider: (row.provider as string | null) ?? null,
    model: (row.model as string | null) ?? null,
    answer: (row.answer as string | null) ?? null,
    logLine: (row.log_line as string | null) ?? null,
    errorClass: (row.error_class as StoredErrorClass | null) ?? null,
    errorMessage: (row.error_message as string | null) ?? null,
    reachedProvider: row.reached_provider === true,
    stopBot: row.stop_bot === true,
    receivedAt: row.received_at as Date,
  };
}
