import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
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
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async record(entry: AuditEntryInput, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (actor_user_id, actor_email, action, target_type, target_id, before, after)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        entry.actor.id,
        entry.actor.email,
        entry.action,
        entry.targetType,
        entry.targetId,
        entry.before === undefined ? null : JSON.stringify(entry.before),
        entry.after === undefined ? null : JSON.stringify(entry.after),
      ],
    );
  }

  /**
   * Newest first; `target` matches the target id (an account, request, plan or user), and an
   * account also finds the entries about its requests.
   */
  async list(filter: { target?: string; limit?: number }): Promise<AuditEntry[]> {
    const rows: {
      id: string;
      at: Date;
      actor_user_id: string | null;
      actor_email: string;
      action: string;
      target_type: string;
      target_id: string;
      before: unknown;
      after: unknown;
    }[] = await this.db.query(
      `SELECT * FROM audit_log WHERE ($1::text IS NULL OR target_id = $1 OR after ->> 'installationId' = $1)
        ORDER BY at DESC, id DESC LIMIT $2`,
      [filter.target ?? null, Math.min(Math.max(filter.limit ?? 100, 1), 500)],
    );
    return rows.map((row) => ({
      id: String(row.id),
      at: row.at.toISOString(),
      actorUserId: row.actor_user_id,
      actorEmail: row.actor_email,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      before: row.before,
      after: row.after,
    }));
  }
}
