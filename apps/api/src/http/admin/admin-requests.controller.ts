import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { type AdminSessionData } from '../../domain/staff/admin-auth.service';
import { type AdminRequestView, AdminRequestsService } from './admin-requests.service';
import { CurrentAdmin } from './admin-role.decorator';

/** The request log across accounts; support may replay a failed request. */
@Controller('admin/api/requests')
@UseGuards(AdminAuthGuard)
export class AdminRequestsController {
  constructor(private readonly requests: AdminRequestsService) {}

  @Get()
  async list(
    @Query('account') account?: string,
    @Query('kind') kind?: string,
    @Query('status') status?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
    @Query('limit') limit?: string,
  ): Promise<{ requests: AdminRequestView[] }> {
    const n = limit === undefined ? undefined : Number(limit);
    return {
      requests: await this.requests.list({ account, kind, status, from, to, limit: n }),
    };
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<AdminRequestView> {
    return this.requests.get(id);
  }

  @Post(':id/replay')
  @HttpCode(202)
  replay(@Param('id') id: string, @CurrentAdmin() { user }: AdminSessionData) {
    return this.requests.replay(id, user);
  }
}
