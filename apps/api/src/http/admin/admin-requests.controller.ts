import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { type z } from 'zod';
import { ZodPipe } from '../../common/http/zod-validation.pipe';
import { AdminAuthGuard } from './admin-auth.guard';
import { type AdminSessionData } from '../../domain/staff/admin-auth.service';
import { type AdminRequestView, AdminRequestsService } from './admin-requests.service';
import { CurrentAdmin } from './admin-role.decorator';
import { RequestsQuery } from './admin-schemas';

/** The request log across accounts; support may replay a failed request. */
@Controller('admin/api/requests')
@UseGuards(AdminAuthGuard)
export class AdminRequestsController {
  constructor(private readonly requests: AdminRequestsService) {}

  @Get()
  async list(
    @Query(new ZodPipe(RequestsQuery)) filter: z.output<typeof RequestsQuery>,
  ): Promise<{ requests: AdminRequestView[] }> {
    return { requests: await this.requests.list(filter) };
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
