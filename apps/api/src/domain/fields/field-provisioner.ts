import {
  LEAD_FIELD_KEYS,
  LEAD_FIELD_TYPES,
  type LeadFieldKey,
  leadFieldCode,
  leadFieldName,
} from '@gpt-bridge/shared';
import { Injectable, Logger } from '@nestjs/common';
import { lockForTransaction, Transactions } from '../../database/transactions.repository';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { InstallationsRepository } from '../installations/installations.repository';
import { InstallationFieldsRepository } from './installation-fields.repository';

export type ProvisionResult = { created: LeadFieldKey[]; reused: LeadFieldKey[] };

/**
 * Makes the six lead fields exist exactly once in the account (found by `code`, recreated when
 * deleted) and records their Kommo ids. Serialised per installation with an advisory lock, so a
 * reinstall and a "re-provision" at the same moment cannot both create a field.
 */
@Injectable()
export class FieldProvisioner {
  private readonly logger = new Logger(FieldProvisioner.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly installations: InstallationsRepository,
    private readonly fields: InstallationFieldsRepository,
    private readonly kommo: KommoClientFactory,
  ) {}

  async provision(installationId: string): Promise<ProvisionResult> {
    return this.transactions.run(async (tx) => {
      await lockForTransaction(tx, `provision-fields:${installationId}`);
      const installation = await this.installations.findByIdOrFail(installationId, tx);
      if (installation.status === 'disabled') {
        throw new Error(`installation ${installationId} is disabled`);
      }
      const client = this.kommo.forInstallation({
        installationId,
        host: installation.host,
        subdomain: installation.subdomain,
      });

      const existing = new Map<string, { id: number; name: string; type: string }>();
      for (const field of await client.listLeadCustomFields()) {
        if (field.code) existing.set(field.code, field);
      }
      const missing = LEAD_FIELD_KEYS.filter((key) => !existing.has(leadFieldCode(key)));
      if (missing.length > 0) {
        const created = await client.createLeadCustomFields(
          missing.map((key, index) => ({
            name: leadFieldName(key, installation.language),
            type: LEAD_FIELD_TYPES[key],
            code: leadFieldCode(key),
            sort: 500 + index,
          })),
        );
        for (const field of created) if (field.code) existing.set(field.code, field);
      }

      const rows = LEAD_FIELD_KEYS.map((key) => {
        const field = existing.get(leadFieldCode(key));
        if (!field) throw new Error(`Kommo did not return field ${leadFieldCode(key)}`);
        return {
          installationId,
          key,
          kommoFieldId: field.id,
          code: leadFieldCode(key),
          name: field.name,
          type: field.type,
        };
      });
      await this.fields.upsertAll(tx, rows);
      const result = {
        created: missing,
        reused: LEAD_FIELD_KEYS.filter((k) => !missing.includes(k)),
      };
      this.logger.log({ installationId, ...result }, 'lead fields provisioned');
      return result;
    });
  }
}
