import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Installation } from '../installation/installation.entity';
import { KommoModule } from '../kommo/kommo.module';
import { WidgetAdminRights } from './widget-admin-rights';
import { WidgetAuthGuard } from './widget-auth.guard';

/**
 * Import this to put WidgetAuthGuard on a controller; the Installation repository and the rights
 * lookup are re-exported because Nest builds a guard named in @UseGuards inside the importing module.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Installation]), KommoModule],
  providers: [WidgetAuthGuard, WidgetAdminRights],
  exports: [WidgetAuthGuard, WidgetAdminRights, TypeOrmModule],
})
export class WidgetAuthModule {}
