import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { type Tx } from '../../database/transactions.repository';
import { AuditLogRow } from './audit-log.entity';

/** audit_log: who did what to which target. */
@Injectable()
export class AuditLogRepository {
  constructor(@InjectRepository(AuditLogRow) private readonly log: Repository<AuditLogRow>) {}

  /** `tx`: write in the caller's transaction (an erase and its entry commit together). */
  async insert(entry: Omit<AuditLogRow, 'id' | 'at'>, tx: Tx = this.log.manager): Promise<void> {
    await tx.query(
      `INSERT INTO audit_log (actor_user_id, actor_email, action, target_type, target_id, before, after)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        entry.actorUserId,
        entry.actorEmail,
        entry.action,
        entry.targetType,
        entry.targetId,
        entry.before === undefined ? null : JSON.stringify(entry.before),
        entry.after === undefined ? null : JSON.stringify(entry.after),
      ],
    );
  }

  /** Newest first; `target` also finds the entries whose `after` names it as installationId. */
  list(target: string | null, limit: number): Promise<AuditLogRow[]> {
    return this.log.query(
      `SELECT id, at, actor_user_id AS "actorUserId", actor_email AS "actorEmail", action,
              target_type AS "targetType", target_id AS "targetId", before, after
         FROM audit_log
        WHERE ($1::text IS NULL OR target_id = $1 OR after ->> 'installationId' = $1)
        ORDER BY at DESC, id DESC LIMIT $2`,
      [target, limit],
    );
  }
}
