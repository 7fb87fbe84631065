import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InstallationField } from '../installation/installation-field.entity';
import { KommoModule } from '../kommo/kommo.module';
import { FieldProvisioner } from './field-provisioner';
import { FieldsService } from './fields.service';

@Module({
  imports: [TypeOrmModule.forFeature([InstallationField]), KommoModule],
  providers: [FieldProvisioner, FieldsService],
  exports: [FieldProvisioner, FieldsService],
})
export class FieldsModule {}
