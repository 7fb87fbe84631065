import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { type Tx } from '../../database/transactions.repository';
import { ProviderSettings } from './provider-settings.entity';

/** The stored columns (keys as envelopes); an installation without a row has the defaults. */
export type ProviderSettingsColumns = Omit<ProviderSettings, 'createdAt' | 'updatedAt'>;

/** provider_settings: one row per installation that saved its provider choice. */
@Injectable()
export class ProviderSettingsRepository {
  constructor(
    @InjectRepository(ProviderSettings) private readonly settings: Repository<ProviderSettings>,
  ) {}

  find(installationId: string): Promise<ProviderSettings | null> {
    return this.settings.findOneBy({ installationId });
  }

  async upsert(row: ProviderSettingsColumns): Promise<void> {
    await this.settings.query(
      `INSERT INTO provider_settings (installation_id, openai_api_key_enc, assistant_provider,
         assistant_api_key_enc, assistant_model, assistant_instructions, assistant_base_url,
         assistant_agent_id, assistant_api_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (installation_id) DO UPDATE SET
         openai_api_key_enc = EXCLUDED.openai_api_key_enc,
         assistant_provider = EXCLUDED.assistant_provider,
         assistant_api_key_enc = EXCLUDED.assistant_api_key_enc,
         assistant_model = EXCLUDED.assistant_model,
         assistant_instructions = EXCLUDED.assistant_instructions,
         assistant_base_url = EXCLUDED.assistant_base_url,
         assistant_agent_id = EXCLUDED.assistant_agent_id,
         assistant_api_version = EXCLUDED.assistant_api_version,
         updated_at = now()`,
      [
        row.installationId,
        row.openaiApiKeyEnc,
        row.assistantProvider,
        row.assistantApiKeyEnc,
        row.assistantModel,
        row.assistantInstructions,
        row.assistantBaseUrl,
        row.assistantAgentId,
        row.assistantApiVersion,
      ],
    );
  }

  /** Part of an uninstalled account's purge, in its transaction. */
  async deleteAllOf(tx: Tx, installationId: string): Promise<void> {
    await tx.query(`DELETE FROM provider_settings WHERE installation_id = $1`, [installationId]);
  }
}
