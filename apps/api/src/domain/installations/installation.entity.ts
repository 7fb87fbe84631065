import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { bigintNumber, nullableBigint, nullableNumeric } from '../../database/column-transformers';

export type InstallationStatus = 'pending' | 'active' | 'auth_failed' | 'disabled';

/** One Kommo account that installed the widget. */
@Entity({ name: 'installations' })
export class Installation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'bigint', transformer: bigintNumber, unique: true })
  kommoAccountId: number;

  /** Current subdomain and host (`acme.kommo.com`); both can change, the account id cannot. */
  @Column({ type: 'text' })
  subdomain: string;

  @Column({ type: 'text' })
  host: string;

  @Column({ type: 'text', default: 'pending' })
  status: InstallationStatus;

  /** The account's language (en, pt, es; others fall back to en) for field names. */
  @Column({ type: 'text', default: 'en' })
  language: string;

  /** The account's IANA time zone: usage months and days are counted in it. */
  @Column({ type: 'text', default: 'UTC' })
  timezone: string;

  /** The plan (plans.id) and what support set for this account only. */
  @Column({ type: 'text', default: 'trial' })
  planId: string;

  /** Replaces the plan's monthly allowance for this account when set. */
  @Column({ type: 'integer', nullable: true })
  monthlyRequestsOverride: number | null;

  /** At most this many answered requests per lead and day (a bot loop cannot spend the month). */
  @Column({ type: 'integer', nullable: true })
  leadDailyCap: number | null;

  /** The owner's cap on this month's estimated AI cost (USD); null = none. */
  @Column({
    type: 'numeric',
    precision: 12,
    scale: 2,
    nullable: true,
    transformer: nullableNumeric,
  })
  monthlyCostCapUsd: number | null;

  // Envelopes from SecretBox, never plain tokens; read through TokenService only.
  @Column({ type: 'text', nullable: true, select: false })
  accessTokenEnc: string | null;

  @Column({ type: 'text', nullable: true, select: false })
  refreshTokenEnc: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  tokenExpiresAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  tokenRefreshedAt: Date | null;

  /** The Kommo user whose authorization gave the stored token, and whether they are an admin. */
  @Column({ type: 'bigint', nullable: true, transformer: nullableBigint })
  tokenUserId: number | null;

  /** null = not known (installed before we recorded it); false: fields and continues will 403. */
  @Column({ type: 'boolean', nullable: true })
  tokenUserIsAdmin: boolean | null;

  /** Why Kommo refused us last (shown in admin); cleared by a successful install. */
  @Column({ type: 'text', nullable: true })
  authError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  installedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  /** Set by Kommo's uninstall hook, cleared by a reinstall; starts the purge's grace period. */
  @Column({ type: 'timestamptz', nullable: true })
  uninstalledAt: Date | null;

  /** When the grace period ended and the account's personal data was deleted. */
  @Column({ type: 'timestamptz', nullable: true })
  purgedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
