import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../../database/column-transformers';
import { type ConversationState } from '../../integrations/ai-providers/provider.types';

/** A lead's memory with one provider: its conversation id there, or our own history. */
@Entity({ name: 'lead_conversations' })
export class LeadConversation {
  @PrimaryColumn({ type: 'uuid' })
  installationId: string;

  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  leadId: number;

  /** Another Dify app or Chatbase agent is another conversation. */
  @PrimaryColumn({ type: 'text' })
  providerKey: string;

  @Column({ type: 'jsonb' })
  state: ConversationState;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
