import { type AssistantProviderName } from '@gpt-bridge/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** An installation's AI provider choice; the keys are SecretBox envelopes, never plain. */
@Entity({ name: 'provider_settings' })
export class ProviderSettings {
  @PrimaryColumn({ type: 'uuid' })
  installationId: string;

  @Column({ type: 'text', nullable: true })
  openaiApiKeyEnc: string | null;

  @Column({ type: 'text', default: 'openai' })
  assistantProvider: AssistantProviderName;

  @Column({ type: 'text', nullable: true })
  assistantApiKeyEnc: string | null;

  @Column({ type: 'text', nullable: true })
  assistantModel: string | null;

  @Column({ type: 'text', nullable: true })
  assistantInstructions: string | null;

  @Column({ type: 'text', nullable: true })
  assistantBaseUrl: string | null;

  @Column({ type: 'text', nullable: true })
  assistantAgentId: string | null;

  @Column({ type: 'text', nullable: true })
  assistantApiVersion: 'v1' | 'v2' | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
