import { Module } from '@nestjs/common';
import { QueuesModule } from '../../queues/queues.module';
import { FieldsModule } from '../fields/fields.module';
import { KommoModule } from '../kommo/kommo.module';
import { AccountSync } from './account-sync';
import { InstallationModule } from './installation.module';
import { InstallationProcessor } from './installation.processor';

/** The worker side: code exchange, field provisioning, scheduled token refresh. */
@Module({
  imports: [InstallationModule, FieldsModule, KommoModule, QueuesModule],
  providers: [InstallationProcessor, AccountSync],
})
export class InstallationWorkerModule {}
