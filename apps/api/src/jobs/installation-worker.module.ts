import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues/queues.module';
import { FieldsModule } from '../domain/fields/fields.module';
import { HandoffModule } from '../domain/handoff/handoff.module';
import { AccountSync } from '../domain/installations/account-sync';
import { InstallationModule } from '../domain/installations/installation.module';
import { InstallationProcessor } from './installation.processor';

/** The worker side: code exchange, field provisioning, scheduled token refresh. */
@Module({
  imports: [InstallationModule, FieldsModule, QueuesModule, HandoffModule],
  providers: [InstallationProcessor, AccountSync],
})
export class InstallationWorkerModule {}
