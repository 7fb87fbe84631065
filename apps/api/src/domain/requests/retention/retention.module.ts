import { Module } from '@nestjs/common';
import { ConversationsRepository } from '../conversations.repository';
import { LeadLocksRepository } from '../lead-locks.repository';
import { RequestsRetentionRepository } from '../requests-retention.repository';
import { LeadEraser } from './lead-eraser';
import { RetentionStore } from './retention.store';
import { RetentionService } from './retention.service';

/** Retention and erasure of customer data (the worker's job, the admin panel's lead erase). */
@Module({
  providers: [
    RequestsRetentionRepository,
    ConversationsRepository,
    LeadLocksRepository,
    RetentionStore,
    RetentionService,
    LeadEraser,
  ],
  exports: [RetentionService, LeadEraser],
})
export class RetentionModule {}
