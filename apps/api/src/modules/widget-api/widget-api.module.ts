import { Module } from '@nestjs/common';
import { FieldsModule } from '../fields/fields.module';
import { InstallationModule } from '../installation/installation.module';
import { WidgetAuthModule } from '../widget-auth/widget-auth.module';
import { AiModule } from '../ai/ai.module';
import { PlansModule } from '../plans/plans.module';
import { TemplatesModule } from '../templates/templates.module';
import { WebhookTokensModule } from '../webhooks/webhook-tokens.module';
import { WidgetApiController } from './widget-api.controller';
import { WidgetConsoleController } from './widget-console.controller';
import { WidgetSettingsController } from './widget-settings.controller';
import { WidgetTemplatesController } from './widget-templates.controller';
import { WidgetUsageController } from './widget-usage.controller';

@Module({
  imports: [
    WidgetAuthModule,
    FieldsModule,
    InstallationModule,
    AiModule,
    WebhookTokensModule,
    PlansModule,
    TemplatesModule,
  ],
  controllers: [
    WidgetApiController,
    WidgetSettingsController,
    WidgetUsageController,
    WidgetTemplatesController,
    WidgetConsoleController,
  ],
})
export class WidgetApiModule {}
