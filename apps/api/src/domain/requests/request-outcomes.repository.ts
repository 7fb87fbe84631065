import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { returnedRows } from '../../database/returning';
import { type AiRequestColumns, type AiRequestRow } from './ai-request.entity';
import { type AiRequestStatus, type RequestOutcome } from './ai-request.types';
import { upsertMemorySql } from './conversations.repository';

/**
 * The statements that end a request's provider step and the request itself on `ai_requests`:
 * its outcome (with the lead's memory) and its end, which counts usage in `usage_daily`.
 */
@Injectable()
export class RequestOutcomesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

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
              stop_bot = $13, answer_recovered = $14, prompt_text = $15,
              prompt_memory_messages = $16, prompt_media = $17, cost_usd = $18
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
      outcome.prompt?.text ?? null,
      outcome.prompt?.memoryMessages ?? null,
      outcome.prompt?.media ?? null,
      outcome.costUsd ?? null,
    ];
    if (!memory) {
      await this.db.query(update, params);
      return;
    }
    await this.db.query(
      `WITH stored AS (${update} RETURNING installation_id, lead_id)
       ${upsertMemorySql('SELECT installation_id, lead_id, $19, $20::jsonb FROM stored')}`,
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
    failure?: { errorClass: string; errorMessage: string },
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
      const row =
        returnedRows<
          AiRequestColumns<'installationId' | 'leadId' | 'kind' | 'totalTokens' | 'countedOn'>
        >(result)[0];
      if (!row) return null;
      const done = { installationId: row.installation_id, leadId: Number(row.lead_id) };
      if (row.counted_on === null) return { ...done, counted: false };
      await manager.query(
        `INSERT INTO usage_daily (installation_id, day, kind, requests, tokens, cost_usd)
         SELECT installation_id, counted_on, kind, 1, coalesce(total_tokens, 0),
                coalesce(cost_usd, 0)
           FROM ai_requests WHERE id = $1
         ON CONFLICT (installation_id, day, kind)
         DO UPDATE SET requests = usage_daily.requests + 1,
                       tokens = usage_daily.tokens + EXCLUDED.tokens,
                       cost_usd = usage_daily.cost_usd + EXCLUDED.cost_usd`,
        [id],
      );
      return { ...done, counted: true };
    });
  }
}
