import { Injectable } from '@nestjs/common';
import { type Tx } from '../../database/transactions.repository';
import { AuditLogRepository } from './audit-log.repository';
import { type AdminUserView } from './admin-user.types';
import { type AuditEntry } from '@gpt-bridge/shared';

export type AuditEntryInput = {
  actor: Pick<AdminUserView, 'id' | 'email'>;
  action: string;
  targetType: 'installation' | 'request' | 'plan' | 'admin_user';
  targetId: string;
  before?: unknown;
  after?: unknown;
};

export type { AuditEntry };

/** Who did what to which target, when, with the state before and after. Never holds secrets. */
@Injectable()
export class AuditLogService {
  constructor(private readonly log: AuditLogRepository) {}

  /** `tx`: record in the caller's transaction. */
  async record(entry: AuditEntryInput, tx?: Tx): Promise<void> {
    await this.log.insert(
      {
        actorUserId: entry.actor.id,
        actorEmail: entry.actor.email,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId,
        before: entry.before,
        after: entry.after,
      },
      tx,
    );
  }

  /**
   * Newest first; `target` matches the target id (an account, request, plan or user), and an
   * account also finds the entries about its requests.
   */
  async list(filter: { target?: string; limit?: number }): Promise<AuditEntry[]> {
    const rows = await this.log.list(
      filter.target ?? null,
      Math.min(Math.max(filter.limit ?? 100, 1), 500),
    );
    return rows.map((row) => ({
      id: String(row.id),
      at: row.at.toISOString(),
      actorUserId: row.actorUserId,
      actorEmail: row.actorEmail,
      action: row.action,
      targetType: row.targetType,
      targetId: row.targetId,
      before: row.before,
      after: row.after,
    }));
  }
}
