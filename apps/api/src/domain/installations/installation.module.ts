import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountRelocator } from './account-relocation';
import { CodeExchange } from './code-exchange';
import { QueuesModule } from '../../queues/queues.module';
import { InstallationField } from './installation-field.entity';
import { InstallationJobs } from './installation-jobs';
import { Installation } from './installation.entity';
import { InstallationService } from './installation.service';
import { KommoOAuthClient } from '../../integrations/kommo/kommo-oauth.client';
import { OAuthTokenBudget } from '../../integrations/kommo/oauth-token-budget';
import { ScheduledTokenRefresh } from './scheduled-token-refresh';
import { WebhookTokens } from './webhook-tokens.service';
import { TokenService } from './token.service';

/** Installations and their tokens; used by the API and the worker alike. */
@Module({
  imports: [TypeOrmModule.forFeature([Installation, InstallationField]), QueuesModule],
  providers: [
    AccountRelocator,
    CodeExchange,
    KommoOAuthClient,
    ScheduledTokenRefresh,
    TokenService,
    InstallationService,
    InstallationJobs,
    OAuthTokenBudget,
    WebhookTokens,
  ],
  exports: [
    TypeOrmModule,
    TokenService,
    InstallationService,
    InstallationJobs,
    OAuthTokenBudget,
    WebhookTokens,
    CodeExchange,
    ScheduledTokenRefresh,
  ],
})
export class InstallationModule {}
