import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../../database/column-transformers';

/** The 80 % and 95 % warnings, once per account, month and threshold. */
@Entity({ name: 'quota_warnings' })
export class QuotaWarning {
  @PrimaryColumn({ type: 'uuid' })
  installationId: string;

  /** `YYYY-MM` in the account's time zone. */
  @PrimaryColumn({ type: 'text' })
  month: string;

  @PrimaryColumn({ type: 'integer' })
  threshold: number;

  /** The lead whose request crossed the threshold: the note goes there. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  leadId: number;

  @Column({ type: 'integer' })
  used: number;

  @Column({ type: 'integer' })
  allowance: number;

  /** Set once the note reached the lead; null: it is shown in the widget's banner only. */
  @Column({ type: 'timestamptz', nullable: true })
  notedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
