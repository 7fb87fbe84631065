import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import {
  type ConversationMemory,
  type ConversationState,
} from '../../integrations/ai-providers/provider.types';

/** Writes lead memories; `rows` yields (installation, lead, provider key, state) as VALUES or a SELECT. */
export function upsertMemorySql(rows: string): string {
  return `INSERT INTO lead_conversations (installation_id, lead_id, provider_key, state) ${rows}
    ON CONFLICT (installation_id, lead_id, provider_key)
    DO UPDATE SET state = EXCLUDED.state, updated_at = now()`;
}

/** Per-lead provider memory in `lead_conversations` (conversation ids or our own history). */
@Injectable()
export class ConversationStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * `providerKey` separates memories that must not mix: another Dify app or Chatbase agent is
   * another conversation.
   */
  forLead(installationId: string, leadId: number, providerKey: string): ConversationMemory {
    return {
      load: async (): Promise<ConversationState> => {
        const rows: { state: ConversationState }[] = await this.db.query(
          `SELECT state FROM lead_conversations
            WHERE installation_id = $1 AND lead_id = $2 AND provider_key = $3`,
          [installationId, leadId, providerKey],
        );
        return rows[0]?.state ?? {};
      },
      save: async (state: ConversationState): Promise<void> => {
        await this.db.query(upsertMemorySql('VALUES ($1, $2, $3, $4)'), [
          installationId,
          leadId,
          providerKey,
          JSON.stringify(state),
        ]);
      },
    };
  }
}
