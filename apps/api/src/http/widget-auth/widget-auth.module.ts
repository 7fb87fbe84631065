import { Module } from '@nestjs/common';
import { InstallationModule } from '../../domain/installations/installation.module';
import { WidgetAdminRights } from '../../domain/installations/widget-admin-rights';
import { WidgetAdminGuard } from './widget-admin.guard';
import { WidgetAuthGuard } from './widget-auth.guard';

/**
 * Import this to put WidgetAuthGuard (and @WidgetAdmin()) on a controller; the installations'
 * module and the rights lookup are re-exported because Nest builds a guard named in @UseGuards
 * inside the importing module.
 */
@Module({
  imports: [InstallationModule],
  providers: [WidgetAuthGuard, WidgetAdminGuard, WidgetAdminRights],
  exports: [WidgetAuthGuard, WidgetAdminGuard, WidgetAdminRights, InstallationModule],
})
export class WidgetAuthModule {}
