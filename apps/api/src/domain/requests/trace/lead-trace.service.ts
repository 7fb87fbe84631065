import {
  type LeadTraceItem,
  type LeadTraceQuery,
  type LeadTraceResponse,
} from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { LeadTraceRepository, type LeadTraceRow } from './lead-trace.repository';
import { silentReason } from './silent-reason';

/**
 * The lead card's trace: a lead's AI requests, newest first, a page at a time. `before` is the
 * last item's `receivedAt`, which has milliseconds while the column has microseconds, so a page
 * ends only between two milliseconds: rows of the millisecond a page would split go to the next
 * page whole (or, when a whole page shares one, all come in this one). Then `received_at < before`
 * neither repeats nor skips a row.
 */
@Injectable()
export class LeadTrace {
  constructor(private readonly rows: LeadTraceRepository) {}

  async list(
    installationId: string,
    leadId: number,
    query: LeadTraceQuery,
  ): Promise<LeadTraceResponse> {
    const before = query.before ? new Date(query.before) : null;
    const rows = await this.rows.page(installationId, leadId, before, query.limit + 1);
    if (rows.length <= query.limit) return { leadId, requests: rows.map(toItem), more: false };
    const millis = (index: number) => rows[index]?.received_at.getTime();
    const last = millis(query.limit - 1) ?? 0;
    if (millis(query.limit) !== last) {
      return { leadId, requests: rows.slice(0, query.limit).map(toItem), more: true };
    }
    const whole = rows.slice(0, query.limit).filter((row) => row.received_at.getTime() !== last);
    if (whole.length > 0) return { leadId, requests: whole.map(toItem), more: true };
    const at = new Date(last);
    const group = await this.rows.sameMillisecond(installationId, leadId, at);
    const older = await this.rows.page(installationId, leadId, at, 1);
    return { leadId, requests: group.map(toItem), more: older.length > 0 };
  }
}

function toItem(row: LeadTraceRow): LeadTraceItem {
  return {
    id: row.id,
    receivedAt: row.received_at.toISOString(),
    kind: row.kind,
    // The contract names our salesbot block's mode after what the owner sees.
    mode: row.mode === 'widget' ? 'widget_block' : 'classic',
    status: row.status,
    prompt:
      row.prompt_memory_messages === null
        ? null
        : {
            text: row.prompt_text,
            memoryMessages: row.prompt_memory_messages,
            media: row.prompt_media ?? [],
          },
    answer: row.answer,
    // Filled once extraction profiles store what they wrote (issue 23, point 1).
    extraction: null,
    provider: row.provider,
    model: row.model,
    latencyMs: row.latency_ms,
    tokens: { input: row.input_tokens, output: row.output_tokens, total: row.total_tokens },
    costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
    silentReason: silentReason({
      status: row.status,
      errorClass: row.error_class,
      answer: row.answer,
    }),
    errorClass: row.error_class,
    errorMessage: row.error_message,
  };
}
