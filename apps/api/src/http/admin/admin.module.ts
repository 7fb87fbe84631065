import { Module } from '@nestjs/common';
import { AiModule } from '../../domain/requests/ai.module';
import { FieldsModule } from '../../domain/fields/fields.module';
import { HandoffModule } from '../../domain/handoff/handoff.module';
import { InstallationModule } from '../../domain/installations/installation.module';
import { PlansModule } from '../../domain/plans/plans.module';
import { QueuesModule } from '../../queues/queues.module';
import { RetentionModule } from '../../domain/requests/retention/retention.module';
import { AdminAccountsController } from './admin-accounts.controller';
import { AdminAccountsService } from './admin-accounts.service';
import { AdminActionsService } from './admin-actions.service';
import { AdminAuthController } from './admin-auth.controller';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminAuthService } from '../../domain/staff/admin-auth.service';
import { AdminPausesController } from './admin-pauses.controller';
import { AdminPlansController } from './admin-plans.controller';
import { AdminRequestsController } from './admin-requests.controller';
import { AdminRequestsService } from './admin-requests.service';
import { AdminSystemController } from './admin-system.controller';
import { AdminUsersController } from './admin-users.controller';
import { AdminUsersService } from '../../domain/staff/admin-users.service';
import { AuditLogService } from '../../domain/staff/audit-log.service';
import { QueueHealthService } from './queue-health.service';
import { SignInThrottle } from '../../domain/staff/sign-in-throttle';
import { StaffModule } from '../../domain/staff/staff.module';

/** The admin API under /admin/api, guarded by its own cookie sessions (issue 9). */
@Module({
  imports: [
    QueuesModule,
    InstallationModule,
    FieldsModule,
    PlansModule,
    AiModule,
    RetentionModule,
    StaffModule,
    HandoffModule,
  ],
  controllers: [
    AdminAuthController,
    AdminAccountsController,
    AdminRequestsController,
    AdminPlansController,
    AdminUsersController,
    AdminSystemController,
    AdminPausesController,
  ],
  providers: [
    AdminUsersService,
    AdminAuthService,
    SignInThrottle,
    AdminAuthGuard,
    AuditLogService,
    AdminAccountsService,
    AdminRequestsService,
    AdminActionsService,
    QueueHealthService,
  ],
  exports: [AdminUsersService],
})
export class AdminModule {}
