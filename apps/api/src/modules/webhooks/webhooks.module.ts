import { Module } from '@nestjs/common';
import { AiModule } from '../ai/ai.module';
import { BotTokenUses } from './bot-token-uses';
import { IntakeBatcher } from './intake-batcher';
import { WebhookIntake } from './webhook-intake.service';
import { WebhookTokensModule } from './webhook-tokens.module';

/** The API side of the two webhooks; routes are registered on Fastify in create-http-app. */
@Module({
  imports: [AiModule, WebhookTokensModule],
  providers: [WebhookIntake, IntakeBatcher, BotTokenUses],
  exports: [WebhookIntake],
})
export class WebhooksModule {}
