import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { returnedRows } from '../../database/returning';
import { AdminUser } from './admin-user.entity';
import { type AdminRoleName } from './admin-user.types';

/** The columns of admin_users as AdminUser's properties, for the raw statements below. */
export function adminUserColumns(alias?: string): string {
  const of = (column: string) => (alias ? `${alias}.${column}` : column);
  return [
    of('id'),
    of('email'),
    `${of('password_hash')} AS "passwordHash"`,
    of('role'),
    `${of('failed_attempts')} AS "failedAttempts"`,
    `${of('locked_until')} AS "lockedUntil"`,
    `${of('created_at')} AS "createdAt"`,
    `${of('last_login_at')} AS "lastLoginAt"`,
  ].join(', ');
}

/** admin_users: the admin panel's support and admin users. */
@Injectable()
export class AdminUsersRepository {
  constructor(@InjectRepository(AdminUser) private readonly users: Repository<AdminUser>) {}

  findByEmail(email: string): Promise<AdminUser | null> {
    return this.users.findOneBy({ email });
  }

  findById(id: string): Promise<AdminUser | null> {
    return this.users.findOneBy({ id });
  }

  listByEmail(): Promise<AdminUser[]> {
    return this.users.find({ order: { email: 'ASC' } });
  }

  /** Creates the user, or sets the hash and role of the existing email and lifts its lockout. */
  async upsert(
    email: string,
    passwordHash: string,
    role: AdminRoleName,
  ): Promise<{ user: AdminUser; inserted: boolean }> {
    const rows: (AdminUser & { inserted: boolean })[] = await this.users.query(
      `INSERT INTO admin_users (email, password_hash, role) VALUES ($1, $2, $3)
       ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash,
              role = EXCLUDED.role, failed_attempts = 0, locked_until = NULL
       RETURNING ${adminUserColumns()}, (xmax = 0) AS inserted`,
      [email, passwordHash, role],
    );
    const { inserted, ...user } = rows[0]!;
    return { user, inserted };
  }

  async changeRole(id: string, role: AdminRoleName): Promise<AdminUser | undefined> {
    const result: unknown = await this.users.query(
      `UPDATE admin_users SET role = $2 WHERE id = $1 RETURNING ${adminUserColumns()}`,
      [id, role],
    );
    return returnedRows<AdminUser>(result)[0];
  }

  async setLockedUntil(id: string, lockedUntil: Date): Promise<void> {
    await this.users.update(id, { lockedUntil });
  }

  /** A successful sign-in: the failures are forgotten. */
  async signedIn(id: string, at: Date): Promise<AdminUser | undefined> {
    const result: unknown = await this.users.query(
      `UPDATE admin_users SET failed_attempts = 0, locked_until = NULL, last_login_at = $2
        WHERE id = $1 RETURNING ${adminUserColumns()}`,
      [id, at],
    );
    return returnedRows<AdminUser>(result)[0];
  }
}
