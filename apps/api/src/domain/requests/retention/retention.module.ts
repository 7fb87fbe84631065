import { Module } from '@nestjs/common';
import { LeadEraser } from './lead-eraser';
import { RetentionStore } from './retention.store';
import { RetentionService } from './retention.service';

/** Retention and erasure of customer data (the worker's job, the admin panel's lead erase). */
@Module({
  providers: [RetentionStore, RetentionService, LeadEraser],
  exports: [RetentionService, LeadEraser],
})
export class RetentionModule {}
