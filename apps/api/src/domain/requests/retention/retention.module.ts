import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Transactions } from '../../../database/transactions.repository';
import { HandoffModule } from '../../handoff/handoff.module';
import { InstallationModule } from '../../installations/installation.module';
import { PlansModule } from '../../plans/plans.module';
import { ConversationsRepository } from '../conversations.repository';
import { LeadLocksRepository } from '../lead-locks.repository';
import { ProviderSettings } from '../provider-settings.entity';
import { ProviderSettingsRepository } from '../provider-settings.repository';
import { RequestsRetentionRepository } from '../requests-retention.repository';
import { LeadEraser } from './lead-eraser';
import { RetentionStore } from './retention.store';
import { RetentionService } from './retention.service';

/** Retention and erasure of customer data (the worker's job, the admin panel's lead erase). */
@Module({
  imports: [
    TypeOrmModule.forFeature([ProviderSettings]),
    InstallationModule,
    PlansModule,
    HandoffModule,
  ],
  providers: [
    Transactions,
    RequestsRetentionRepository,
    ConversationsRepository,
    LeadLocksRepository,
    ProviderSettingsRepository,
    RetentionStore,
    RetentionService,
    LeadEraser,
  ],
  exports: [RetentionService, LeadEraser],
})
export class RetentionModule {}
