import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountRelocator } from './account-relocation';
import { QueuesModule } from '../../queues/queues.module';
import { KommoRateModule } from '../kommo/kommo-rate.module';
import { KOMMO_TOKEN_SOURCE } from '../kommo/kommo-token-source';
import { InstallationField } from './installation-field.entity';
import { InstallationJobs } from './installation-jobs';
import { Installation } from './installation.entity';
import { InstallationService } from './installation.service';
import { KommoOAuthClient } from './kommo-oauth.client';
import { OAuthTokenBudget } from './oauth-token-budget';
import { WebhookTokensModule } from '../webhooks/webhook-tokens.module';
import { TokenService } from './token.service';

/** Installations and their tokens; used by the API and the worker alike. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Installation, InstallationField]),
    QueuesModule,
    KommoRateModule,
    WebhookTokensModule,
  ],
  providers: [
    AccountRelocator,
    KommoOAuthClient,
    TokenService,
    InstallationService,
    InstallationJobs,
    OAuthTokenBudget,
    { provide: KOMMO_TOKEN_SOURCE, useExisting: TokenService },
  ],
  exports: [
    TypeOrmModule,
    TokenService,
    InstallationService,
    InstallationJobs,
    OAuthTokenBudget,
    KOMMO_TOKEN_SOURCE,
  ],
})
export class InstallationModule {}
