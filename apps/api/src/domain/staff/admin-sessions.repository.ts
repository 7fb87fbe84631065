import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { AdminSession } from './admin-session.entity';
import { type AdminUser } from './admin-user.entity';
import { adminUserColumns } from './admin-users.repository';

export type SessionWithUser = AdminUser &
  Pick<AdminSession, 'csrfTokenHash'> & { sessionId: string };

/** admin_sessions: the sessions behind the admin cookie, keyed by the token's SHA-256. */
@Injectable()
export class AdminSessionsRepository {
  constructor(
    @InjectRepository(AdminSession) private readonly sessions: Repository<AdminSession>,
  ) {}

  /** Opens a session after sweeping the user's expired ones, so the table does not grow forever. */
  async open(session: Omit<AdminSession, 'createdAt'>, now: Date): Promise<void> {
    await this.sessions.query(
      `DELETE FROM admin_sessions WHERE user_id = $1 AND expires_at <= $2`,
      [session.userId, now],
    );
    await this.sessions.query(
      `INSERT INTO admin_sessions (id, user_id, csrf_token_hash, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [session.id, session.userId, session.csrfTokenHash, session.expiresAt, now],
    );
  }

  /** The unexpired session with its user as of now. */
  async findLive(id: string, now: Date): Promise<SessionWithUser | undefined> {
    const rows: SessionWithUser[] = await this.sessions.query(
      `SELECT ${adminUserColumns('u')}, s.id AS "sessionId", s.csrf_token_hash AS "csrfTokenHash"
         FROM admin_sessions s JOIN admin_users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.expires_at > $2`,
      [id, now],
    );
    return rows[0];
  }

  async delete(id: string): Promise<void> {
    await this.sessions.query(`DELETE FROM admin_sessions WHERE id = $1`, [id]);
  }

  async deleteAllOf(userId: string): Promise<void> {
    await this.sessions.query(`DELETE FROM admin_sessions WHERE user_id = $1`, [userId]);
  }
}
