import {
  type CostCapInput,
  CostCapInputSchema,
  type UsageQuery,
  UsageQuerySchema,
  type WidgetUsageResponse,
} from '@gpt-bridge/shared';
import { Body, Controller, Get, Put, Query, UseGuards } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { ZodPipe } from '../../common/http/zod-validation.pipe';
import { CostCap } from '../../domain/plans/cost-cap';
import { QuotaGate } from '../../domain/plans/quota-gate';
import { UsageService } from '../../domain/plans/usage.service';
import { WidgetAdmin } from '../widget-auth/widget-admin.decorator';
import { WidgetAuthGuard } from '../widget-auth/widget-auth.guard';
import { WidgetSession } from '../widget-auth/widget-session.decorator';
import { type WidgetSessionData } from '../widget-auth/widget-session';

/** Usage of the token's account: this month (or `?month=YYYY-MM`) in its time zone. */
@Controller('widget-api')
@UseGuards(WidgetAuthGuard)
export class WidgetUsageController {
  constructor(
    private readonly usage: UsageService,
    private readonly quota: QuotaGate,
    private readonly costCap: CostCap,
    private readonly clock: Clock,
  ) {}

  @Get('usage')
  current(
    @WidgetSession() { installation }: WidgetSessionData,
    @Query(new ZodPipe(UsageQuerySchema)) { month }: UsageQuery,
  ): Promise<WidgetUsageResponse> {
    return this.summary(installation.id, month);
  }

  /** The owner's monthly cost cap: it stops the account's bots, so only administrators set it. */
  @Put('cost-cap')
  @WidgetAdmin('set the monthly cost cap')
  async setCostCap(
    @WidgetSession() { installation }: WidgetSessionData,
    @Body(new ZodPipe(CostCapInputSchema)) input: CostCapInput,
  ): Promise<WidgetUsageResponse> {
    await this.costCap.set(installation.id, input.monthlyCostCapUsd);
    return this.summary(installation.id);
  }

  private async summary(installationId: string, month?: string): Promise<WidgetUsageResponse> {
    const summary = await this.usage.summary(installationId, this.clock.now(), month);
    return { ...summary, warnings: await this.quota.warnings(installationId, summary.month) };
  }
}
