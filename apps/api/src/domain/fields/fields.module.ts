import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InstallationField } from '../installations/installation-field.entity';
import { FieldProvisioner } from './field-provisioner';
import { FieldsCheck } from './fields-check';
import { FieldsService } from './fields.service';

@Module({
  imports: [TypeOrmModule.forFeature([InstallationField])],
  providers: [FieldProvisioner, FieldsService, FieldsCheck],
  exports: [FieldProvisioner, FieldsService, FieldsCheck],
})
export class FieldsModule {}
