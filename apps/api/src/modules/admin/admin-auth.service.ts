import { HttpException, HttpStatus, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { Clock } from '../../common/clock/clock';
import { returnedRows } from '../../database/returning';
import { AppConfig } from '../../config/app-config';
import { csrfTokenFor, newSessionToken, sha256Hex } from './admin-tokens';
import { type AdminUserRow, AdminUsersService, isUuid, toUserView } from './admin-users.service';
import { type AdminUserView, normalizeEmail } from './admin-user.types';
import { dummyHash, verifyPassword } from './password-hash';

/** `token` is the cookie's value, kept in memory for the request only (to derive the CSRF token). */
export type AdminSessionData = {
  user: AdminUserView;
  sessionId: string;
  csrfTokenHash: string;
  token: string;
};

export type LoginResult = {
  user: AdminUserView;
  token: string;
  csrfToken: string;
  maxAgeSeconds: number;
};

// One message for an unknown email and a wrong password: the answer must not tell them apart.
const WRONG = 'Wrong email or password.';
// Failures of emails that have no user live here (per process, bounded), only so that such an
// email gets locked out exactly like a real one and the answers stay identical.
const MAX_UNKNOWN = 10_000;

/** Sign-in with lockout, and the sessions behind the admin cookie. */
@Injectable()
export class AdminAuthService {
  private readonly unknown = new Map<string, { failures: number; lockedUntil: number }>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: AdminUsersService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  private get lockoutMs(): number {
    return this.config.get('ADMIN_LOCKOUT_MINUTES') * 60_000;
  }

  private get sessionMs(): number {
    return this.config.get('ADMIN_SESSION_HOURS') * 3_600_000;
  }

  async login(emailInput: string, password: string): Promise<LoginResult> {
    const email = normalizeEmail(emailInput);
    const now = this.clock.now();
    const user = await this.users.findByEmail(email);
    const lockedUntil = user
      ? (user.locked_until?.getTime() ?? 0)
      : (this.unknown.get(email)?.lockedUntil ?? 0);
    if (lockedUntil > now.getTime()) throw lockedOut(lockedUntil - now.getTime());

    const ok = await verifyPassword(password, user?.password_hash ?? (await dummyHash()));
    if (!user || !ok) {
      if (user) await this.countFailure(user, now);
      else this.countUnknownFailure(email, now);
      throw new UnauthorizedException(WRONG);
    }
    const result: unknown = await this.db.query(
      `UPDATE admin_users SET failed_attempts = 0, locked_until = NULL, last_login_at = $2
        WHERE id = $1 RETURNING *`,
      [user.id, now],
    );
    return this.openSession(returnedRows<AdminUserRow>(result)[0] ?? user, now);
  }

  private async openSession(user: AdminUserRow, now: Date): Promise<LoginResult> {
    const token = newSessionToken();
    const csrfToken = csrfTokenFor(token);
    const expiresAt = new Date(now.getTime() + this.sessionMs);
    // Each sign-in also sweeps the user's expired sessions, so the table does not grow forever.
    await this.db.query(`DELETE FROM admin_sessions WHERE user_id = $1 AND expires_at <= $2`, [
      user.id,
      now,
    ]);
    await this.db.query(
      `INSERT INTO admin_sessions (id, user_id, csrf_token_hash, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [sha256Hex(token), user.id, sha256Hex(csrfToken), expiresAt, now],
    );
    return {
      user: toUserView(user),
      token,
      csrfToken,
      maxAgeSeconds: Math.floor(this.sessionMs / 1000),
    };
  }

  /** The fifth failure in a row locks the email; the count starts again after the lockout. */
  private async countFailure(user: AdminUserRow, now: Date): Promise<void> {
    await this.db.query(
      `UPDATE admin_users
          SET failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
              locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3::timestamptz
                                  ELSE locked_until END
        WHERE id = $1`,
      [
        user.id,
        this.config.get('ADMIN_MAX_FAILED_LOGINS'),
        new Date(now.getTime() + this.lockoutMs),
      ],
    );
  }

  private countUnknownFailure(email: string, now: Date): void {
    const entry = this.unknown.get(email) ?? { failures: 0, lockedUntil: 0 };
    entry.failures += 1;
    if (entry.failures >= this.config.get('ADMIN_MAX_FAILED_LOGINS')) {
      entry.failures = 0;
      entry.lockedUntil = now.getTime() + this.lockoutMs;
    }
    this.unknown.delete(email);
    this.unknown.set(email, entry);
    if (this.unknown.size > MAX_UNKNOWN) {
      const oldest = this.unknown.keys().next().value;
      if (oldest !== undefined) this.unknown.delete(oldest);
    }
  }

  /** The session behind a cookie token, with its user as of now (a role change applies at once). */
  async session(token: string | undefined): Promise<AdminSessionData | null> {
    if (!token || token.length > 200) return null;
    const rows: (AdminUserRow & { session_id: string; csrf_token_hash: string })[] =
      await this.db.query(
        `SELECT u.*, s.id AS session_id, s.csrf_token_hash
           FROM admin_sessions s JOIN admin_users u ON u.id = s.user_id
          WHERE s.id = $1 AND s.expires_at > $2`,
        [sha256Hex(token), this.clock.now()],
      );
    const row = rows[0];
    if (!row) return null;
    return {
      user: toUserView(row),
      sessionId: row.session_id,
      csrfTokenHash: row.csrf_token_hash,
      token,
    };
  }

  async logout(sessionId: string): Promise<void> {
    await this.db.query(`DELETE FROM admin_sessions WHERE id = $1`, [sessionId]);
  }

  /** Ends every session of a user (after a role change, the user signs in again). */
  async endSessionsOf(userId: string): Promise<void> {
    if (!isUuid(userId)) return;
    await this.db.query(`DELETE FROM admin_sessions WHERE user_id = $1`, [userId]);
  }
}

function lockedOut(remainingMs: number): HttpException {
  const minutes = Math.max(1, Math.ceil(remainingMs / 60_000));
  return new HttpException(
    `Too many failed sign-ins for this email. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    HttpStatus.TOO_MANY_REQUESTS,
  );
}
