import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Transactions } from '../../database/transactions.repository';
import { InstallationModule } from '../installations/installation.module';
import { InstallationField } from './installation-field.entity';
import { InstallationFieldsRepository } from './installation-fields.repository';
import { FieldProvisioner } from './field-provisioner';
import { FieldsCheck } from './fields-check';
import { FieldsService } from './fields.service';

@Module({
  imports: [TypeOrmModule.forFeature([InstallationField]), InstallationModule],
  providers: [
    Transactions,
    InstallationFieldsRepository,
    FieldProvisioner,
    FieldsService,
    FieldsCheck,
  ],
  exports: [FieldProvisioner, FieldsService, FieldsCheck],
})
export class FieldsModule {}
