import { Module } from '@nestjs/common';
import { WebhookTokens } from './webhook-tokens.service';

/** The webhook URL tokens; used by installation (created at install), intake and the widget. */
@Module({ providers: [WebhookTokens], exports: [WebhookTokens] })
export class WebhookTokensModule {}
