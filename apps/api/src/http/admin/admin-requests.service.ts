import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { AiJobs } from '../../domain/requests/ai-jobs';
import {
  RequestLogRepository,
  type RequestLogFilter,
  type RequestLogRow,
} from '../../domain/requests/request-log.repository';
import { AuditLogService } from '../../domain/staff/audit-log.service';
import { AdminError } from './admin-errors';
import { isUuid } from '../../domain/staff/admin-users.service';
import { type AdminUserView } from '../../domain/staff/admin-user.types';
import { type AdminRequestView } from '@gpt-bridge/shared';

export type { AdminRequestView };

export type RequestFilter = {
  account?: string;
  kind?: string;
  status?: string;
  from?: string;
  to?: string;
  limit?: number;
};

function toView(row: RequestLogRow): AdminRequestView {
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

/** An installation id, a Kommo account id or a subdomain. */
function accountOf(account: string | undefined): RequestLogFilter['account'] {
  if (!account) return undefined;
  if (isUuid(account)) return { installationId: account };
  if (/^\d{1,15}$/.test(account)) return { kommoAccountId: account };
  return { subdomain: account.toLowerCase() };
}

function parseTime(value: string | undefined): Date | null {
  if (value === undefined || value === '') return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** The request log across accounts, and replays of failed requests. */
@Injectable()
export class AdminRequestsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly log: RequestLogRepository,
    private readonly jobs: AiJobs,
    private readonly audit: AuditLogService,
  ) {}

  async list(filter: RequestFilter): Promise<AdminRequestView[]> {
    // `RequestsQuery` (admin-schemas.ts) has refused an unknown status or kind and a bad date.
    const query: RequestLogFilter = {
      account: accountOf(filter.account?.trim()),
      kind: filter.kind,
      status: filter.status,
      from: parseTime(filter.from),
      to: parseTime(filter.to),
      limit: Math.min(Math.max(Math.trunc(filter.limit ?? 50) || 50, 1), 500),
    };
    return (await this.log.list(query)).map(toView);
  }

  async get(id: string): Promise<AdminRequestView> {
    const row = isUuid(id) ? await this.log.get(id) : undefined;
    if (!row) throw new AdminError('request_not_found', 'no such request');
    return toView(row);
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
      const row = await this.log.insertReplay(manager, id, `replay:${randomUUID()}`);
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
