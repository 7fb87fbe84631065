import { type LeadFieldKey, LEAD_FIELD_KEYS } from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { InstallationFieldsRepository } from './installation-fields.repository';

export type ActiveField = {
  key: LeadFieldKey;
  kommoFieldId: number;
  code: string;
  name: string;
  type: string;
};

/** The fields we provisioned for an installation, in the product's order. */
@Injectable()
export class FieldsService {
  constructor(private readonly fields: InstallationFieldsRepository) {}

  async activeFields(installationId: string): Promise<ActiveField[]> {
    const rows = await this.fields.listOf(installationId);
    return rows
      .sort((a, b) => LEAD_FIELD_KEYS.indexOf(a.key) - LEAD_FIELD_KEYS.indexOf(b.key))
      .map(({ key, kommoFieldId, code, name, type }) => ({ key, kommoFieldId, code, name, type }));
  }
}
