import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter';
import { LoggingModule } from './common/logging/logging.module';
import { ClockModule } from './common/clock/clock';
import { CryptoModule } from './common/crypto/crypto.module';
import { RedisModule } from './common/redis/redis.module';
import { ClientBudgetModule } from './common/http/client-budget';
import { OAuthHttpModule } from './http/oauth/oauth-http.module';
import { InstallationModule } from './domain/installations/installation.module';
import { TokenService } from './domain/installations/token.service';
import { KommoModule } from './integrations/kommo/kommo.module';
import { ConfigModule } from './config/config.module';
import { type Env } from './config/env.schema';
import { DatabaseModule } from './database/database.module';
import { AdminModule } from './http/admin/admin.module';
import { HealthModule } from './http/health/health.module';
import { WebhooksModule } from './http/webhooks/webhooks.module';
import { ChatEventsModule } from './http/chat-events/chat-events.module';
import { WidgetApiModule } from './http/widget-api/widget-api.module';
import { QueuesModule } from './queues/queues.module';

/** The HTTP process: controllers and queue producers, no processors. */
@Module({})
export class AppModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(env),
        LoggingModule,
        DatabaseModule.forRoot(['DATABASE_POOL_SIZE']),
        // Kommo clients get access tokens from the installations' TokenService.
        KommoModule.forRoot({ imports: [InstallationModule], source: TokenService }),
        QueuesModule,
        HealthModule,
        WidgetApiModule,
        CryptoModule,
        ClockModule,
        RedisModule,
        ClientBudgetModule,
        OAuthHttpModule,
        WebhooksModule,
        ChatEventsModule,
        AdminModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
