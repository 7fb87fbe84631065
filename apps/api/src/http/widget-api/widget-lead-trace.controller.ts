import {
  type LeadTraceQuery,
  LeadTraceQuerySchema,
  type LeadTraceResponse,
} from '@gpt-bridge/shared';
import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ZodPipe } from '../../common/http/zod-validation.pipe';
import { LeadTrace } from '../../domain/requests/trace/lead-trace.service';
import { WidgetAuthGuard } from '../widget-auth/widget-auth.guard';
import { WidgetSession } from '../widget-auth/widget-session.decorator';
import { type WidgetSessionData } from '../widget-auth/widget-session';
import { LeadIdParam } from './widget-params';

/**
 * The lead card's trace of AI requests (issue 23). For every user of the account, not only
 * administrators: it is shown on the lead, to whoever works the lead. The account is the token's,
 * never a parameter, so a token of one account cannot read another's leads.
 */
@Controller('widget-api')
@UseGuards(WidgetAuthGuard)
export class WidgetLeadTraceController {
  constructor(private readonly trace: LeadTrace) {}

  @Get('leads/:leadId/requests')
  requests(
    @WidgetSession() { installation }: WidgetSessionData,
    @Param('leadId', new ZodPipe(LeadIdParam)) leadId: number,
    @Query(new ZodPipe(LeadTraceQuerySchema)) query: LeadTraceQuery,
  ): Promise<LeadTraceResponse> {
    return this.trace.list(installation.id, leadId, query);
  }
}
