import {
  BadRequestException,
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
import {
  type AccountDetail,
  type AccountListItem,
  AdminAccountsService,
} from './admin-accounts.service';
import { AdminActionsService } from './admin-actions.service';
import { AdminAuthGuard } from './admin-auth.guard';
import { type AdminSessionData } from '../../domain/staff/admin-auth.service';
import { AdminRole, CurrentAdmin } from './admin-role.decorator';
import { AssignPlanBody, parseBody, parseLeadId } from './admin-schemas';

/** Accounts: search, the account page, and the actions on one account. */
@Controller('admin/api/accounts')
@UseGuards(AdminAuthGuard)
export class AdminAccountsController {
  constructor(
    private readonly accounts: AdminAccountsService,
    private readonly actions: AdminActionsService,
  ) {}

  @Get()
  async list(@Query('q') q?: string): Promise<{ accounts: AccountListItem[] }> {
    return { accounts: await this.accounts.list(q) };
  }

  @Get(':id')
  detail(@Param('id') id: string): Promise<AccountDetail> {
    return this.accounts.detail(id);
  }

  /** Usage of any month (`?month=YYYY-MM`, default the current one) in the account's time zone. */
  @Get(':id/usage')
  usage(@Param('id') id: string, @Query('month') month?: string) {
    if (month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
      throw new BadRequestException('month must look like 2026-11');
    }
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
    @Param('leadId') leadId: string,
    @CurrentAdmin() { user }: AdminSessionData,
  ) {
    return this.actions.eraseLead(id, parseLeadId(leadId), user);
  }

  /** Plan, monthly override and per-lead daily cap together (null clears an override or cap). */
  @Put(':id/plan')
  @AdminRole('admin')
  assignPlan(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentAdmin() { user }: AdminSessionData,
  ) {
    return this.actions.assignPlan(id, parseBody(AssignPlanBody, body), user);
  }
}
