import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { type AdminRoleName } from './admin-user.types';

/** A support or admin user of the admin panel. */
@Entity({ name: 'admin_users' })
export class AdminUser {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Lower-cased (normalizeEmail); the table checks it. */
  @Column({ type: 'text', unique: true })
  email: string;

  /** The scrypt string with its own salt and cost. */
  @Column({ type: 'text' })
  passwordHash: string;

  @Column({ type: 'text' })
  role: AdminRoleName;

  @Column({ type: 'integer', default: 0 })
  failedAttempts: number;

  /** Shown on the users page; the sign-in throttle decides. */
  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;
}
