import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { type Tx } from '../../database/transactions.repository';
import { InstallationField } from './installation-field.entity';

export type FieldRecord = Pick<
  InstallationField,
  'installationId' | 'key' | 'kommoFieldId' | 'code' | 'name' | 'type'
>;

/** installation_fields: the lead fields we provisioned in each account. */
@Injectable()
export class InstallationFieldsRepository {
  constructor(
    @InjectRepository(InstallationField) private readonly fields: Repository<InstallationField>,
  ) {}

  listOf(installationId: string): Promise<InstallationField[]> {
    return this.fields.findBy({ installationId });
  }

  /** One row per (installation, key), replaced by what Kommo has now. */
  async upsertAll(tx: Tx, rows: FieldRecord[]): Promise<void> {
    await tx.upsert(InstallationField, rows, ['installationId', 'key']);
  }
}
