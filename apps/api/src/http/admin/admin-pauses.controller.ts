import { type AdminLeadPause } from '@gpt-bridge/shared';
import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { LeadPauses } from '../../domain/handoff/lead-pauses.service';
import { InstallationsRepository } from '../../domain/installations/installations.repository';
import { isUuid } from '../../domain/staff/admin-users.service';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminError } from './admin-errors';

/** The account's leads where the AI is paused now (issue 22 point 4); support and admins. */
@Controller('admin/api/accounts')
@UseGuards(AdminAuthGuard)
export class AdminPausesController {
  constructor(
    private readonly installations: InstallationsRepository,
    private readonly pauses: LeadPauses,
  ) {}

  @Get(':id/pauses')
  async pausesOf(@Param('id') id: string): Promise<AdminLeadPause[]> {
    if (!(isUuid(id) && (await this.installations.exists(id)))) {
      throw new AdminError('account_not_found', 'no such account');
    }
    return this.pauses.activeOf(id);
  }
}
