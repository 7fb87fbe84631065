import { Injectable } from '@nestjs/common';
import { type AdminUser } from './admin-user.entity';
import { AdminUsersRepository } from './admin-users.repository';
import { hashPassword, passwordProblem } from './password-hash';
import { StaffError } from './staff-errors';
import {
  type AdminRoleName,
  type AdminUserView,
  isAdminRole,
  normalizeEmail,
} from './admin-user.types';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function toUserView(row: AdminUser): AdminUserView {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    createdAt: row.createdAt.toISOString(),
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
    lockedUntil: row.lockedUntil?.toISOString() ?? null,
  };
}

/**
 * Admin panel users. Used by the API and by `pnpm admin:create-user`, so it needs nothing but
 * the database.
 */
@Injectable()
export class AdminUsersService {
  constructor(private readonly users: AdminUsersRepository) {}

  async findByEmail(email: string): Promise<AdminUser | undefined> {
    return (await this.users.findByEmail(normalizeEmail(email))) ?? undefined;
  }

  async findById(id: string): Promise<AdminUser | undefined> {
    if (!isUuid(id)) return undefined;
    return (await this.users.findById(id)) ?? undefined;
  }

  async list(): Promise<AdminUserView[]> {
    return (await this.users.listByEmail()).map(toUserView);
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
    const { user, inserted } = await this.users.upsert(email, hash, input.role);
    return { user: toUserView(user), created: inserted };
  }

  /** Returns the user before and after, for the audit log. */
  async changeRole(
    id: string,
    role: AdminRoleName,
  ): Promise<{ before: AdminUserView; after: AdminUserView }> {
    if (!isAdminRole(role)) throw new StaffError('invalid_role', 'role must be support or admin');
    const before = await this.findById(id);
    if (!before) throw new StaffError('user_not_found', 'no such user');
    const after = await this.users.changeRole(id, role);
    if (!after) throw new StaffError('user_not_found', 'no such user');
    return { before: toUserView(before), after: toUserView(after) };
  }
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
