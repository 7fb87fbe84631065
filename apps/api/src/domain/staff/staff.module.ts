import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminSession } from './admin-session.entity';
import { AdminSessionsRepository } from './admin-sessions.repository';
import { AdminUser } from './admin-user.entity';
import { AdminUsersRepository } from './admin-users.repository';
import { AuditLogRow } from './audit-log.entity';
import { AuditLogRepository } from './audit-log.repository';

/** The admin panel's users, sessions and audit trail: their tables and repositories. */
@Module({
  imports: [TypeOrmModule.forFeature([AdminUser, AdminSession, AuditLogRow])],
  providers: [AdminUsersRepository, AdminSessionsRepository, AuditLogRepository],
  exports: [AdminUsersRepository, AdminSessionsRepository, AuditLogRepository],
})
export class StaffModule {}
