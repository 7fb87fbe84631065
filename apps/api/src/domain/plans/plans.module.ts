import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Transactions } from '../../database/transactions.repository';
import { InstallationModule } from '../installations/installation.module';
import { CostCap } from './cost-cap';
import { PlanRow } from './plan.entity';
import { PlansRepository } from './plans.repository';
import { PlansService } from './plans.service';
import { QuotaGate } from './quota-gate';
import { QuotaWarning } from './quota-warning.entity';
import { QuotaWarningsRepository } from './quota-warnings.repository';
import { UsageDaily } from './usage-daily.entity';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

/** Plans, per-account allowances, the quota check and usage reads. */
@Module({
  imports: [TypeOrmModule.forFeature([PlanRow, UsageDaily, QuotaWarning]), InstallationModule],
  providers: [
    Transactions,
    PlansRepository,
    UsageRepository,
    QuotaWarningsRepository,
    PlansService,
    UsageService,
    QuotaGate,
    CostCap,
  ],
  exports: [PlansService, UsageService, QuotaGate, QuotaWarningsRepository, CostCap],
})
export class PlansModule {}
