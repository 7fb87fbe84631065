import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { type AuditEntry, AuditLogService } from '../../domain/staff/audit-log.service';
import { type QueueHealth, QueueHealthService } from './queue-health.service';

/** Queue health and the audit trail. */
@Controller('admin/api')
@UseGuards(AdminAuthGuard)
export class AdminSystemController {
  constructor(
    private readonly queues: QueueHealthService,
    private readonly audit: AuditLogService,
  ) {}

  @Get('queues')
  async queueHealth(): Promise<{ queues: QueueHealth[] }> {
    return { queues: await this.queues.health() };
  }

  @Get('audit')
  async auditLog(
    @Query('target') target?: string,
    @Query('limit') limit?: string,
  ): Promise<{ entries: AuditEntry[] }> {
    const n = limit === undefined ? undefined : Number(limit) || undefined;
    return { entries: await this.audit.list({ target: target || undefined, limit: n }) };
  }
}
