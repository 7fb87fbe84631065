import { type UsageQuery, UsageQuerySchema } from '@gpt-bridge/shared';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import { type z } from 'zod';
import { ZodPipe } from '../../common/http/zod-validation.pipe';
import {
  type AccountDetail,
  type AccountListItem,
  AdminAccountsService,
} from './admin-accounts.service';
import { AdminActionsService } from './admin-actions.service';
import { AdminAuthGuard } from './admin-auth.guard';
import { type AdminSessionData } from '../../domain/staff/admin-auth.service';
import { AdminRole, CurrentAdmin } from './admin-role.decorator';
import { AccountsQuery, AssignPlanBody, LeadIdParam } from './admin-schemas';

/** Accounts: search, the account page, and the actions on one account. */
@Controller('admin/api/accounts')
@UseGuards(AdminAuthGuard)
export class AdminAccountsController {
  constructor(
    private readonly accounts: AdminAccountsService,
    private readonly actions: AdminActionsService,
  ) {}

  @Get()
  async list(
    @Query(new ZodPipe(AccountsQuery)) { q }: z.output<typeof AccountsQuery>,
  ): Promise<{ accounts: AccountListItem[] }> {
    return { accounts: await this.accounts.list(q) };
  }

  @Get(':id')
  detail(@Param('id') id: string): Promise<AccountDetail> {
    return this.accounts.detail(id);
  }

  /** Usage of any month (`?month=YYYY-MM`, default the current one) in the account's time zone. */
  @Get(':id/usage')
  usage(@Param('id') id: string, @Query(new ZodPipe(UsageQuerySchema)) { month }: UsageQuery) {
    return this.accounts.usageOf(id, month);
  }

  @Post(':id/reprovision')
  @HttpCode(202)
  reprovision(@Param('id') id: string, @CurrentAdmin() { user }: AdminSessionData) {
    return this.actions.reprovision(id, user);
  }

  @Post(':id/refresh-token')
  @HttpCode(200)
  @AdminRole('admin')
  refreshToken(@Param('id') id: string, @CurrentAdmin() { user }: AdminSessionData) {
    return this.actions.refreshToken(id, user);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @AdminRole('admin')
  disable(@Param('id') id: string, @CurrentAdmin() { user }: AdminSessionData) {
    return this.actions.disable(id, user);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @AdminRole('admin')
  enable(@Param('id') id: string, @CurrentAdmin() { user }: AdminSessionData) {
    return this.actions.enable(id, user);
  }

  /** Erases one lead's texts and conversation memory (docs/architecture.md, "Retention"). */
  @Post(':id/leads/:leadId/erase')
  @HttpCode(200)
  eraseLead(
    @Param('id') id: string,
    @Param('leadId', new ZodPipe(LeadIdParam)) leadId: number,
    @CurrentAdmin() { user }: AdminSessionData,
  ) {
    return this.actions.eraseLead(id, leadId, user);
  }

  /** Plan, monthly override and per-lead daily cap together (null clears an override or cap). */
  @Put(':id/plan')
  @AdminRole('admin')
  assignPlan(
    @Param('id') id: string,
    @Body(new ZodPipe(AssignPlanBody)) body: z.output<typeof AssignPlanBody>,
    @CurrentAdmin() { user }: AdminSessionData,
  ) {
    return this.actions.assignPlan(id, body, user);
  }
}
