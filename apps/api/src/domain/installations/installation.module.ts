import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Transactions } from '../../database/transactions.repository';
import { AccountRelocator } from './account-relocation';
import { CodeExchange } from './code-exchange';
import { QueuesModule } from '../../queues/queues.module';
import { InstallationJobs } from './installation-jobs';
import { Installation } from './installation.entity';
import { InstallationService } from './installation.service';
import { InstallationsRepository } from './installations.repository';
import { KommoOAuthClient } from '../../integrations/kommo/kommo-oauth.client';
import { OAuthTokenBudget } from '../../integrations/kommo/oauth-token-budget';
import { WebhookToken } from './webhook-token.entity';
import { ScheduledTokenRefresh } from './scheduled-token-refresh';
import { WebhookTokens } from './webhook-tokens.service';
import { WebhookTokensRepository } from './webhook-tokens.repository';
import { TokenService } from './token.service';

/** Installations and their tokens; used by the API and the worker alike. */
@Module({
  imports: [TypeOrmModule.forFeature([Installation, WebhookToken]), QueuesModule],
  providers: [
    Transactions,
    InstallationsRepository,
    WebhookTokensRepository,
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
    InstallationsRepository,
    WebhookTokensRepository,
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
