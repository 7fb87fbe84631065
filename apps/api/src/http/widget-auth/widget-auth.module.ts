import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Installation } from '../../domain/installations/installation.entity';
import { WidgetAdminRights } from '../../domain/installations/widget-admin-rights';
import { WidgetAuthGuard } from './widget-auth.guard';

/**
 * Import this to put WidgetAuthGuard on a controller; the Installation repository and the rights
 * lookup are re-exported because Nest builds a guard named in @UseGuards inside the importing module.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Installation])],
  providers: [WidgetAuthGuard, WidgetAdminRights],
  exports: [WidgetAuthGuard, WidgetAdminRights, TypeOrmModule],
})
export class WidgetAuthModule {}
