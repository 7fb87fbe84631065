import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { AiJobs } from '../../domain/requests/ai-jobs';
import {
  type AiRequestStatus,
  type StoredErrorClass,
} from '../../domain/requests/ai-request.types';
import { AuditLogService } from '../../domain/staff/audit-log.service';
import { AdminError } from './admin-errors';
import { isUuid } from '../../domain/staff/admin-users.service';
import { type AdminUserView } from '../../domain/staff/admin-user.types';
import { AI_REQUEST_STATUSES, type AdminRequestView } from '@gpt-bridge/shared';

export type { AdminRequestView };

export type RequestFilter = {
  account?: string;
  kind?: string;
  status?: string;
  from?: string;
  to?: string;
  limit?: number;
};

type Row = {
  id: string;
  installation_id: string;
  subdomain: string;
  kommo_account_id: string;
  kind: string;
  mode: string;
  lead_id: string | null;
  status: AiRequestStatus;
  provider: string | null;
  model: string | null;
  latency_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  error_class: StoredErrorClass | null;
  error_message: string | null;
  log_line: string | null;
  attempts: number;
  received_at: Date;
  finished_at: Date | null;
  replay_of: string | null;
  duplicate_of: string | null;
  texts_removed_at: Date | null;
};

// Named columns only: params and the answer (customer content) are not part of the admin view.
const SELECT = `SELECT r.id, r.installation_id, i.subdomain, i.kommo_account_id, r.kind, r.mode,
       r.lead_id, r.status, r.provider, r.model, r.latency_ms, r.input_tokens, r.output_tokens,
       r.total_tokens, r.error_class, r.error_message, r.log_line, r.attempts, r.received_at,
       r.finished_at, r.replay_of, r.duplicate_of, r.texts_removed_at
  FROM ai_requests r JOIN installations i ON i.id = r.installation_id`;

function toView(row: Row): AdminRequestView {
  return {
    id: row.id,
    installationId: row.installation_id,
    subdomain: row.subdomain,
    kommoAccountId: Number(row.kommo_account_id),
    kind: row.kind,
    mode: row.mode,
    leadId: row.lead_id === null ? null : Number(row.lead_id),
    status: row.status,
    provider: row.provider,
    model: row.model,
    latencyMs: row.latency_ms,
    tokens: { input: row.input_tokens, output: row.output_tokens, total: row.total_tokens },
    errorClass: row.error_class,
    errorMessage: row.error_message,
    logLine: row.log_line,
    attempts: row.attempts,
    receivedAt: row.received_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    replayOf: row.replay_of,
    duplicateOf: row.duplicate_of,
    textsRemovedAt: row.texts_removed_at?.toISOString() ?? null,
  };
}

function parseTime(value: string | undefined, name: string): Date | null {
  if (value === undefined || value === '') return null;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new BadRequestException(`${name} must be an ISO date`);
  return at;
}

/** The request log across accounts, and replays of failed requests. */
@Injectable()
export class AdminRequestsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jobs: AiJobs,
    private readonly audit: AuditLogService,
  ) {}

  async list(filter: RequestFilter): Promise<AdminRequestView[]> {
    if (filter.status && !AI_REQUEST_STATUSES.includes(filter.status as AiRequestStatus)) {
      throw new BadRequestException(`status must be one of ${AI_REQUEST_STATUSES.join(', ')}`);
    }
    if (filter.kind && !['chatgpt', 'assistant'].includes(filter.kind)) {
      throw new BadRequestException('kind must be chatgpt or assistant');
    }
    const conditions: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      conditions.push(sql(`$${params.length}`));
    };
    const account = filter.account?.trim();
    if (account) {
      // An installation id, a Kommo account id or a subdomain.
      if (isUuid(account)) add((p) => `r.installation_id = ${p}::uuid`, account);
      else if (/^\d{1,15}$/.test(account)) add((p) => `i.kommo_account_id = ${p}::bigint`, account);
      else add((p) => `i.subdomain = ${p}`, account.toLowerCase());
    }
    if (filter.kind) add((p) => `r.kind = ${p}`, filter.kind);
    if (filter.status) add((p) => `r.status = ${p}`, filter.status);
    const from = parseTime(filter.from, 'from');
    const to = parseTime(filter.to, 'to');
    if (from) add((p) => `r.received_at >= ${p}`, from);
    if (to) add((p) => `r.received_at < ${p}`, to);
    const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 50) || 50, 1), 500);
    params.push(limit);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows: Row[] = await this.db.query(
      `${SELECT} ${where} ORDER BY r.received_at DESC, r.seq DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toView);
  }

  async get(id: string): Promise<AdminRequestView> {
    const rows: Row[] = isUuid(id) ? await this.db.query(`${SELECT} WHERE r.id = $1`, [id]) : [];
    if (!rows[0]) throw new AdminError('request_not_found', 'no such request');
    return toView(rows[0]);
  }

  /**
   * A new `queued` row repeating a failed request (same account, kind, mode, lead and params)
   * and linked to it, stored with its audit entry in one transaction, then enqueued like an
   * intake. The worker reads the lead again, so the replay answers with the lead's current data.
   */
  async replay(id: string, actor: AdminUserView): Promise<{ id: string }> {
    const original = await this.get(id);
    if (original.status !== 'failed') {
      throw new AdminError(
        'not_replayable',
        `only a failed request can be replayed (this one is ${original.status})`,
      );
    }
    if (original.leadId === null) {
      throw new AdminError('not_replayable', 'the request has no lead to answer');
    }
    // Its message (the block's data, the fields a webhook carried) is gone with the texts.
    if (original.textsRemovedAt !== null) {
      throw new AdminError(
        'not_replayable',
        'the request cannot be replayed: its texts were removed',
      );
    }
    const created = await this.db.transaction(async (manager) => {
      const rows: { id: string; installation_id: string; lead_id: string }[] = await manager.query(
        `INSERT INTO ai_requests (installation_id, kind, mode, lead_id, delivery_key, status, params,
                                  replay_of)
         SELECT installation_id, kind, mode, lead_id, $2, 'queued', params, id
           FROM ai_requests WHERE id = $1 AND status = 'failed' AND texts_removed_at IS NULL
         RETURNING id, installation_id, lead_id`,
        [id, `replay:${randomUUID()}`],
      );
      const row = rows[0];
      if (!row) {
        throw new AdminError('changed_meanwhile', 'the request changed meanwhile; reload it');
      }
      await this.audit.record(
        {
          actor,
          action: 'request.replay',
          targetType: 'request',
          targetId: id,
          before: { status: original.status, errorClass: original.errorClass },
          after: { replayId: row.id, status: 'queued', installationId: row.installation_id },
        },
        manager,
      );
      return row;
    });
    // A lost enqueue is picked up by the worker's sweeper, as for any intake.
    await this.jobs.drain({
      installationId: created.installation_id,
      leadId: Number(created.lead_id),
      requestId: created.id,
    });
    return { id: created.id };
  }
}
