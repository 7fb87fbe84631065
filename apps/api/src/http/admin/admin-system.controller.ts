import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { type z } from 'zod';
import { ZodPipe } from '../../common/http/zod-validation.pipe';
import { AdminAuthGuard } from './admin-auth.guard';
import { AuditQuery } from './admin-schemas';
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
    @Query(new ZodPipe(AuditQuery)) query: z.output<typeof AuditQuery>,
  ): Promise<{ entries: AuditEntry[] }> {
    return { entries: await this.audit.list(query) };
  }
}
