import { Module } from '@nestjs/common';
import { InstallationModule } from '../../domain/installations/installation.module';
import { AiModule } from '../../domain/requests/ai.module';
import { BotTokenUses } from '../../domain/requests/intake/bot-token-uses';
import { IntakeBatcher } from '../../domain/requests/intake/intake-batcher';
import { WebhookIntake } from '../../domain/requests/intake/webhook-intake.service';

/** The API side of the two webhooks; routes are registered on Fastify in create-http-app. */
@Module({
  imports: [AiModule, InstallationModule],
  providers: [WebhookIntake, IntakeBatcher, BotTokenUses],
  exports: [WebhookIntake],
})
export class WebhooksModule {}
