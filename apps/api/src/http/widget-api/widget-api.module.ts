import { Module } from '@nestjs/common';
import { FieldsModule } from '../../domain/fields/fields.module';
import { HandoffModule } from '../../domain/handoff/handoff.module';
import { InstallationModule } from '../../domain/installations/installation.module';
import { WidgetAuthModule } from '../widget-auth/widget-auth.module';
import { AiModule } from '../../domain/requests/ai.module';
import { PlansModule } from '../../domain/plans/plans.module';
import { TemplatesModule } from '../../domain/templates/templates.module';
import { WidgetApiController } from './widget-api.controller';
import { WidgetConsoleController } from './widget-console.controller';
import { WidgetLeadsController } from './widget-leads.controller';
import { WidgetLeadTraceController } from './widget-lead-trace.controller';
import { WidgetSettingsController } from './widget-settings.controller';
import { WidgetTemplatesController } from './widget-templates.controller';
import { WidgetUsageController } from './widget-usage.controller';

@Module({
  imports: [
    WidgetAuthModule,
    FieldsModule,
    InstallationModule,
    AiModule,
    PlansModule,
    TemplatesModule,
    HandoffModule,
  ],
  controllers: [
    WidgetApiController,
    WidgetSettingsController,
    WidgetUsageController,
    WidgetTemplatesController,
    WidgetConsoleController,
    WidgetLeadsController,
    WidgetLeadTraceController,
  ],
})
export class WidgetApiModule {}
