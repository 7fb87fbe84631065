import { Module } from '@nestjs/common';
import { InstallationModule } from '../../domain/installations/installation.module';
import { WidgetAdminRights } from '../../domain/installations/widget-admin-rights';
import { WidgetAuthGuard } from './widget-auth.guard';

/**
 * Import this to put WidgetAuthGuard on a controller; the installations' module and the rights
 * lookup are re-exported because Nest builds a guard named in @UseGuards inside the importing module.
 */
@Module({
  imports: [InstallationModule],
  providers: [WidgetAuthGuard, WidgetAdminRights],
  exports: [WidgetAuthGuard, WidgetAdminRights, InstallationModule],
})
export class WidgetAuthModule {}
