import { Body, Controller, Get, Param, Post, Put, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { type AdminSessionData, AdminAuthService } from '../../domain/staff/admin-auth.service';
import { AdminRole, CurrentAdmin } from './admin-role.decorator';
import { ChangeRoleBody, CreateUserBody, parseBody } from './admin-schemas';
import { type AdminUserView } from '../../domain/staff/admin-user.types';
import { AdminUsersService } from '../../domain/staff/admin-users.service';
import { AuditLogService } from '../../domain/staff/audit-log.service';

/** Panel users; admins only. Audit entries never carry passwords or hashes. */
@Controller('admin/api/users')
@UseGuards(AdminAuthGuard)
@AdminRole('admin')
export class AdminUsersController {
  constructor(
    private readonly users: AdminUsersService,
    private readonly auth: AdminAuthService,
    private readonly audit: AuditLogService,
  ) {}

  @Get()
  async list(): Promise<{ users: AdminUserView[] }> {
    return { users: await this.users.list() };
  }

  /** Creates a user, or sets a new password and role for an existing email. */
  @Post()
  async create(
    @Body() body: unknown,
    @CurrentAdmin() { user: actor }: AdminSessionData,
  ): Promise<{ user: AdminUserView; created: boolean }> {
    const input = parseBody(CreateUserBody, body);
    const before = await this.users.findByEmail(input.email);
    const result = await this.users.upsert(input);
    // A new password ends the sessions opened with the old one.
    if (!result.created) await this.auth.endSessionsOf(result.user.id);
    await this.audit.record({
      actor,
      action: result.created ? 'user.create' : 'user.reset',
      targetType: 'admin_user',
      targetId: result.user.id,
      before: before ? { email: before.email, role: before.role } : undefined,
      after: { email: result.user.email, role: result.user.role, passwordChanged: true },
    });
    return result;
  }

  @Put(':id/role')
  async changeRole(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentAdmin() { user: actor }: AdminSessionData,
  ): Promise<{ user: AdminUserView }> {
    const { role } = parseBody(ChangeRoleBody, body);
    const { before, after } = await this.users.changeRole(id, role);
    await this.audit.record({
      actor,
      action: 'user.change_role',
      targetType: 'admin_user',
      targetId: id,
      before: { role: before.role },
      after: { role: after.role },
    });
    return { user: after };
  }
}
