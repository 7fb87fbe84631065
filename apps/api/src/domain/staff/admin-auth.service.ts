import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { AppConfig } from '../../config/app-config';
import { csrfTokenFor, newSessionToken, sha256Hex } from './admin-tokens';
import { type AdminUser } from './admin-user.entity';
import { AdminSessionsRepository } from './admin-sessions.repository';
import { AdminUsersRepository } from './admin-users.repository';
import { AdminUsersService, isUuid, toUserView } from './admin-users.service';
import { type AdminUserView, normalizeEmail } from './admin-user.types';
import { HashGate, HashGateBusy } from './hash-gate';
import { dummyHash, verifyPassword } from './password-hash';
import { SignInThrottle } from './sign-in-throttle';
import { StaffError } from './staff-errors';

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

/** A refusal that tells the client when to come back (answered with `Retry-After`). */
export class SignInRefused extends StaffError {
  declare readonly retryAfterSec: number;

  constructor(code: 'sign_in_locked' | 'sign_in_busy', message: string, retryAfterSec: number) {
    super(code, message, { retryAfterSec });
  }
}

/**
 * Sign-in with lockout, and the sessions behind the admin cookie. Known and unknown emails take
 * the same steps (the throttle, one hash, the same Redis writes), so neither the answer nor its
 * time says whether an email exists.
 */
@Injectable()
export class AdminAuthService {
  private readonly hashes: HashGate;

  constructor(
    private readonly users: AdminUsersService,
    private readonly userRows: AdminUsersRepository,
    private readonly sessions: AdminSessionsRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly throttle: SignInThrottle,
  ) {
    this.hashes = new HashGate(config.get('ADMIN_SIGNIN_CONCURRENT_HASHES'));
  }

  private get sessionMs(): number {
    return this.config.get('ADMIN_SESSION_HOURS') * 3_600_000;
  }

  async login(emailInput: string, password: string, address: string): Promise<LoginResult> {
    const email = normalizeEmail(emailInput);
    const now = this.clock.now();
    const verdict = await this.throttle.before(email, address, now);
    if (verdict.kind === 'email_locked') throw lockedOut(verdict.remainingMs);
    if (verdict.kind === 'address_throttled') {
      const seconds = Math.ceil(verdict.retryAfterMs / 1000);
      throw new SignInRefused(
        'sign_in_locked',
        `Too many failed sign-ins from this address. Try again in ${Math.ceil(seconds / 60)} minute${seconds > 60 ? 's' : ''}.`,
        seconds,
      );
    }

    const user = await this.users.findByEmail(email);
    let ok: boolean;
    try {
      ok = await this.hashes.run(async () =>
        verifyPassword(password, user?.passwordHash ?? (await dummyHash())),
      );
    } catch (error) {
      if (!(error instanceof HashGateBusy)) throw error;
      // Not a guess: the address gets its attempt back.
      await this.throttle.giveBack(address);
      throw new SignInRefused('sign_in_busy', 'Sign-in is busy. Try again in a few seconds.', 2);
    }
    if (!user || !ok) {
      const lockedUntil = await this.throttle.failed(email, now);
      // Shown on the users page only; the decision is the throttle's. Not awaited, so a real
      // email's answer takes no longer than an unknown one's.
      if (user && lockedUntil) {
        void this.userRows.setLockedUntil(user.id, lockedUntil).catch(() => undefined);
      }
      throw new StaffError('wrong_credentials', WRONG);
    }
    await this.throttle.succeeded(email, address);
    return this.openSession((await this.userRows.signedIn(user.id, now)) ?? user, now);
  }

  private async openSession(user: AdminUser, now: Date): Promise<LoginResult> {
    const token = newSessionToken();
    const csrfToken = csrfTokenFor(token);
    const expiresAt = new Date(now.getTime() + this.sessionMs);
    // Each sign-in also sweeps the user's expired sessions, so the table does not grow forever.
    await this.sessions.open(
      { id: sha256Hex(token), userId: user.id, csrfTokenHash: sha256Hex(csrfToken), expiresAt },
      now,
    );
    return {
      user: toUserView(user),
      token,
      csrfToken,
      maxAgeSeconds: Math.floor(this.sessionMs / 1000),
    };
  }

  /** The session behind a cookie token, with its user as of now (a role change applies at once). */
  async session(token: string | undefined): Promise<AdminSessionData | null> {
    if (!token || token.length > 200) return null;
    const row = await this.sessions.findLive(sha256Hex(token), this.clock.now());
    if (!row) return null;
    return {
      user: toUserView(row),
      sessionId: row.sessionId,
      csrfTokenHash: row.csrfTokenHash,
      token,
    };
  }

  async logout(sessionId: string): Promise<void> {
    await this.sessions.delete(sessionId);
  }

  /** Ends every session of a user (after a role change, the user signs in again). */
  async endSessionsOf(userId: string): Promise<void> {
    if (!isUuid(userId)) return;
    await this.sessions.deleteAllOf(userId);
  }
}

function lockedOut(remainingMs: number): SignInRefused {
  const minutes = Math.max(1, Math.ceil(remainingMs / 60_000));
  return new SignInRefused(
    'sign_in_locked',
    `Too many failed sign-ins for this email. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    Math.ceil(remainingMs / 1000),
  );
}
