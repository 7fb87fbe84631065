import { type DynamicModule, Module } from '@nestjs/common';
import { LoggingModule } from './common/logging/logging.module';
import { ClockModule } from './common/clock/clock';
import { CryptoModule } from './common/crypto/crypto.module';
import { RedisModule } from './common/redis/redis.module';
import { AiWorkerModule } from './jobs/ai-worker.module';
import { HandoffWorkerModule } from './jobs/handoff-worker.module';
import { InstallationWorkerModule } from './jobs/installation-worker.module';
import { InstallationModule } from './domain/installations/installation.module';
import { TokenService } from './domain/installations/token.service';
import { KommoModule } from './integrations/kommo/kommo.module';
import { ConfigModule } from './config/config.module';
import { RetentionWorkerModule } from './jobs/retention-worker.module';
import { type Env } from './config/env.schema';
import { DatabaseModule } from './database/database.module';
import { QueuesModule } from './queues/queues.module';
import { SystemProcessor } from './jobs/system.processor';

/** The worker process: the same code as the API, with the Bull processors and no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(env),
        LoggingModule,
        // Beside its pool, a worker holds one lead-lock connection per job in flight.
        DatabaseModule.forRoot(['DATABASE_POOL_SIZE', 'AI_WORKER_CONCURRENCY']),
        // Kommo clients get access tokens from the installations' TokenService.
        KommoModule.forRoot({ imports: [InstallationModule], source: TokenService }),
        QueuesModule,
        CryptoModule,
        ClockModule,
        RedisModule,
        InstallationWorkerModule,
        AiWorkerModule,
        RetentionWorkerModule,
        HandoffWorkerModule,
      ],
      providers: [SystemProcessor],
    };
  }
}
