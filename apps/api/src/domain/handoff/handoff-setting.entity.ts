import { type HandoffSubscriptionState } from '@gpt-bridge/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One account's side of "never talk over a person": the secret in the URL Kommo posts the chat's
 * messages to (its SHA-256 and a SecretBox envelope, like webhook_tokens), whether the
 * subscription worked (variant D: why not), and how long the AI stays silent after a person.
 */
@Entity({ name: 'handoff_settings' })
export class HandoffSetting {
  @PrimaryColumn({ type: 'uuid' })
  installationId: string;

  @Column({ type: 'integer', default: 30 })
  silenceMinutes: number;

  @Column({ type: 'bytea', unique: true })
  eventsTokenHash: Buffer;

  @Column({ type: 'text' })
  eventsTokenEnc: string;

  @Column({ type: 'text', default: 'pending' })
  subscriptionState: HandoffSubscriptionState;

  @Column({ type: 'text', nullable: true })
  subscriptionError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  subscriptionCheckedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
