import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type AiRequestColumns } from '../ai-request.entity';

/** A request as the lead card's trace reads it. */
export type LeadTraceRow = AiRequestColumns<
  | 'id'
  | 'receivedAt'
  | 'kind'
  | 'mode'
  | 'status'
  | 'promptText'
  | 'promptMemoryMessages'
  | 'promptMedia'
  | 'answer'
  | 'provider'
  | 'model'
  | 'latencyMs'
  | 'inputTokens'
  | 'outputTokens'
  | 'totalTokens'
  | 'costUsd'
  | 'errorClass'
  | 'errorMessage'
>;

// Named columns only: params (the lead's fields, the block's data) are not part of the trace.
const COLUMNS = `id, received_at, kind, mode, status, prompt_text, prompt_memory_messages,
  prompt_media, answer, provider, model, latency_ms, input_tokens, output_tokens, total_tokens,
  cost_usd, error_class, error_message`;

/**
 * One lead's requests for the lead card, newest first, always within one account. Each page walks
 * `ix_ai_requests_lead_recent` (installation, lead, received_at DESC, seq DESC) from `before` and stops after
 * `limit` rows (docs/architecture.md, "The lead's trace").
 */
@Injectable()
export class LeadTraceRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Up to `limit` rows received before `before` (all when null), newest first. */
  page(
    installationId: string,
    leadId: number,
    before: Date | null,
    limit: number,
  ): Promise<LeadTraceRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM ai_requests
        WHERE installation_id = $1 AND lead_id = $2 AND received_at < coalesce($3::timestamptz, 'infinity')
        ORDER BY received_at DESC, seq DESC
        LIMIT $4`,
      [installationId, leadId, before?.toISOString() ?? null, limit],
    );
  }

  /** Every row received within one millisecond `[at, at + 1 ms)`: a page never splits one. */
  sameMillisecond(installationId: string, leadId: number, at: Date): Promise<LeadTraceRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM ai_requests
        WHERE installation_id = $1 AND lead_id = $2
          AND received_at >= $3 AND received_at < $3::timestamptz + interval '1 millisecond'
        ORDER BY received_at DESC, seq DESC`,
      [installationId, leadId, at.toISOString()],
    );
  }
}
