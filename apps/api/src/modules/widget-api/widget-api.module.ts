import { Module } from '@nestjs/common';
import { FieldsModule } from '../fields/fields.module';
import { InstallationModule } from '../installation/installation.module';
import { WidgetAuthModule } from '../widget-auth/widget-auth.module';
import { WidgetApiController } from './widget-api.controller';

@Module({
  imports: [WidgetAuthModule, FieldsModule, InstallationModule],
  controllers: [WidgetApiController],
})
export class WidgetApiModule {}
