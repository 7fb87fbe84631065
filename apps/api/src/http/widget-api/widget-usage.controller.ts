import { type WidgetUsageResponse } from '@gpt-bridge/shared';
import { BadRequestException, Controller, Get, Query, UseGuards } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
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
    @Query('month') month?: string,
  ): Promise<WidgetUsageResponse> {
    if (month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
      throw new BadRequestException('month must look like 2026-11');
    }
    const summary = await this.usage.summary(installation.id, this.clock.now(), month);
    return { ...summary, warnings: await this.quota.warnings(installation.id, summary.month) };
  }
}
