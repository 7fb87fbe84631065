import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { type Plan, PlansService } from '../../domain/plans/plans.service';
import { AdminActionsService } from './admin-actions.service';
import { AdminAuthGuard } from './admin-auth.guard';
import { type AdminSessionData } from '../../domain/staff/admin-auth.service';
import { AdminRole, CurrentAdmin } from './admin-role.decorator';
import { EditPlanBody, parseBody } from './admin-schemas';

/** Plans: everyone reads them, only admins change them. */
@Controller('admin/api/plans')
@UseGuards(AdminAuthGuard)
export class AdminPlansController {
  constructor(
    private readonly plans: PlansService,
    private readonly actions: AdminActionsService,
  ) {}

  @Get()
  async list(): Promise<{ plans: Plan[] }> {
    return { plans: await this.plans.list() };
  }

  @Put(':id')
  @AdminRole('admin')
  update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentAdmin() { user }: AdminSessionData,
  ): Promise<Plan> {
    return this.actions.editPlan(id, parseBody(EditPlanBody, body), user);
  }
}
