import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Installation } from '../installation/installation.entity';
import { WidgetAuthGuard } from './widget-auth.guard';

/**
 * Import this to put WidgetAuthGuard on a controller; the Installation repository is re-exported
 * because Nest builds a guard named in @UseGuards inside the importing module.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Installation])],
  providers: [WidgetAuthGuard],
  exports: [WidgetAuthGuard, TypeOrmModule],
})
export class WidgetAuthModule {}
