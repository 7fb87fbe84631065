import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FieldsModule } from '../fields/fields.module';
import { Installation } from '../installation/installation.entity';
import { WebhookTokensModule } from '../webhooks/webhook-tokens.module';
import { TemplateInstaller } from './template-installer.service';

/** The salesbot templates, filled in per installation (the widget shows them). */
@Module({
  imports: [TypeOrmModule.forFeature([Installation]), FieldsModule, WebhookTokensModule],
  providers: [TemplateInstaller],
  exports: [TemplateInstaller],
})
export class TemplatesModule {}
