import { type UsageQuery, UsageQuerySchema, type WidgetUsageResponse } from '@gpt-bridge/shared';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { ZodPipe } from '../../common/http/zod-validation.pipe';
import { QuotaGate } from '../../domain/plans/quota-gate';
import { UsageService } from '../../domain/plans/usage.service';
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
    private readonly clock: Clock,
  ) {}

  @Get('usage')
  async current(
    @WidgetSession() { installation }: WidgetSessionData,
    @Query(new ZodPipe(UsageQuerySchema)) { month }: UsageQuery,
  ): Promise<WidgetUsageResponse> {
    const summary = await this.usage.summary(installation.id, this.clock.now(), month);
    return { ...summary, warnings: await this.quota.warnings(installation.id, summary.month) };
  }
}
