import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { type WebhookKind } from './webhook-token';

/**
 * The secret in an installation's webhook URLs, one per kind: its SHA-256 for the lookup and an
 * envelope (SecretBox) the widget can show again. The plain token is never stored.
 */
@Entity({ name: 'webhook_tokens' })
export class WebhookToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  installationId: string;

  @Column({ type: 'text' })
  kind: WebhookKind;

  @Column({ type: 'bytea', unique: true })
  tokenHash: Buffer;

  @Column({ type: 'text' })
  tokenEnc: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  rotatedAt: Date | null;
}
