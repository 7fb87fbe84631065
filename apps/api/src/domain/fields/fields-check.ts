import { LEAD_FIELD_KEYS, type WidgetFieldsCheck } from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { type Installation } from '../installations/installation.entity';
import { FieldsService } from './fields.service';

/**
 * Our recorded fields compared with the account's lead fields in Kommo right now: a field a
 * user deleted in Kommo shows as missing until "re-provision" recreates it.
 */
@Injectable()
export class FieldsCheck {
  constructor(
    private readonly fields: FieldsService,
    private readonly kommo: KommoClientFactory,
  ) {}

  async check(installation: Installation): Promise<WidgetFieldsCheck> {
    const recorded = await this.fields.activeFields(installation.id);
    const client = this.kommo.forInstallation({
      installationId: installation.id,
      host: installation.host,
      subdomain: installation.subdomain,
    });
    const inKommo = new Set(
      (await client.listLeadCustomFields()).map((field) => `${field.id}:${field.code ?? ''}`),
    );
    const fields = recorded.map((field) => ({
      ...field,
      inKommo: inKommo.has(`${field.kommoFieldId}:${field.code}`),
    }));
    const present = new Set(fields.filter((f) => f.inKommo).map((f) => f.key));
    return { fields, missing: LEAD_FIELD_KEYS.filter((key) => !present.has(key)) };
  }
}
