import { Module } from '@nestjs/common';
import { FieldsModule } from '../fields/fields.module';
import { InstallationModule } from '../installations/installation.module';
import { TemplateInstaller } from './template-installer.service';

/** The salesbot templates, filled in per installation (the widget shows them). */
@Module({
  imports: [FieldsModule, InstallationModule],
  providers: [TemplateInstaller],
  exports: [TemplateInstaller],
})
export class TemplatesModule {}
