import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { returnedRows } from '../../database/returning';
import { hashPassword, passwordProblem } from './password-hash';
import { StaffError } from './staff-errors';
import {
  type AdminRoleName,
  type AdminUserView,
  isAdminRole,
  normalizeEmail,
} from './admin-user.types';

export type AdminUserRow = {
  id: string;
  email: string;
  password_hash: string;
  role: AdminRoleName;
  failed_attempts: number;
  locked_until: Date | null;
  created_at: Date;
  last_login_at: Date | null;
};

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function toUserView(row: AdminUserRow): AdminUserView {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    createdAt: row.created_at.toISOString(),
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    lockedUntil: row.locked_until?.toISOString() ?? null,
  };
}

/**
 * Admin panel users. Used by the API and by `pnpm admin:create-user`, so it needs nothing but
 * the database.
 */
@Injectable()
export class AdminUsersService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findByEmail(email: string): Promise<AdminUserRow | undefined> {
    const rows: AdminUserRow[] = await this.db.query(`SELECT * FROM admin_users WHERE email = $1`, [
      normalizeEmail(email),
    ]);
    return rows[0];
  }

  async findById(id: string): Promise<AdminUserRow | undefined> {
    if (!isUuid(id)) return undefined;
    const rows: AdminUserRow[] = await this.db.query(`SELECT * FROM admin_users WHERE id = $1`, [
      id,
    ]);
    return rows[0];
  }

  async list(): Promise<AdminUserView[]> {
    const rows: AdminUserRow[] = await this.db.query(`SELECT * FROM admin_users ORDER BY email`);
    return rows.map(toUserView);
  }

  /**
   * Creates the user, or updates the role and password of an existing one (the CLI's "reset").
   * `created` tells which happened. A new password also lifts a lockout.
   */
  async upsert(input: {
    email: string;
    role: AdminRoleName;
    password: string;
  }): Promise<{ user: AdminUserView; created: boolean }> {
    const email = normalizeEmail(input.email);
    if (!EMAIL.test(email)) throw new StaffError('invalid_email', 'expected an email address');
    if (!isAdminRole(input.role)) {
      throw new StaffError('invalid_role', 'role must be support or admin');
    }
    const problem = passwordProblem(input.password);
    if (problem) throw new StaffError('weak_password', problem);
    const hash = await hashPassword(input.password);
    const rows: (AdminUserRow & { inserted: boolean })[] = await this.db.query(
      `INSERT INTO admin_users (email, password_hash, role) VALUES ($1, $2, $3)
       ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash,
              role = EXCLUDED.role, failed_attempts = 0, locked_until = NULL
       RETURNING *, (xmax = 0) AS inserted`,
      [email, hash, input.role],
    );
    const row = rows[0]!;
    return { user: toUserView(row), created: row.inserted };
  }

  /** Returns the user before and after, for the audit log. */
  async changeRole(
    id: string,
    role: AdminRoleName,
  ): Promise<{ before: AdminUserView; after: AdminUserView }> {
    if (!isAdminRole(role)) throw new StaffError('invalid_role', 'role must be support or admin');
    const before = await this.findById(id);
    if (!before) throw new StaffError('user_not_found', 'no such user');
    const result: unknown = await this.db.query(
      `UPDATE admin_users SET role = $2 WHERE id = $1 RETURNING *`,
      [id, role],
    );
    const after = returnedRows<AdminUserRow>(result)[0];
    if (!after) throw new StaffError('user_not_found', 'no such user');
    return { before: toUserView(before), after: toUserView(after) };
  }
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
