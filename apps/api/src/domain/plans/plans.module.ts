import { Module } from '@nestjs/common';
import { PlansService } from './plans.service';
import { QuotaGate } from './quota-gate';
import { UsageService } from './usage.service';

/** Plans, per-account allowances, the quota check and usage reads. */
@Module({
  providers: [PlansService, UsageService, QuotaGate],
  exports: [PlansService, UsageService, QuotaGate],
})
export class PlansModule {}
