import { type LeadPauseSource } from '@gpt-bridge/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber, nullableBigint } from '../../database/column-transformers';

/**
 * The AI's pause on one lead (one row per lead, reused by the next pause). Active while
 * `ended_at` is null and `resumes_at` is null (until resumed by hand) or still ahead.
 */
@Entity({ name: 'lead_pauses' })
export class LeadPause {
  @PrimaryColumn({ type: 'uuid' })
  installationId: string;

  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  leadId: number;

  @Column({ type: 'text' })
  source: LeadPauseSource;

  @Column({ type: 'bigint', nullable: true, transformer: nullableBigint })
  userId: number | null;

  @Column({ type: 'text', nullable: true })
  userName: string | null;

  @Column({ type: 'timestamptz' })
  since: Date;

  @Column({ type: 'timestamptz' })
  lastHumanAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  resumesAt: Date | null;

  /** Set by the resume button; a pause whose resumes_at passed ends without it. */
  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  /**
   * What the people wrote during the pause ("Name: text" lines), until the next answer from a
   * provider has carried it (the handback marker); customer-facing text, so purged with the lead.
   */
  @Column({ type: 'text', nullable: true })
  handback: string | null;

  /** Classic template: we filled ON_OFF with the pause's value, so the resume must clear it. */
  @Column({ type: 'boolean', default: false })
  onOffSet: boolean;
}
