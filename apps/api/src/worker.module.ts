import { type DynamicModule, Module } from '@nestjs/common';
import { LoggingModule } from './common/logging/logging.module';
import { ClockModule } from './common/clock/clock';
import { CryptoModule } from './common/crypto/crypto.module';
import { RedisModule } from './common/redis/redis.module';
import { AiWorkerModule } from './modules/ai/ai-worker.module';
import { InstallationWorkerModule } from './modules/installation/installation-worker.module';
import { ConfigModule } from './config/config.module';
import { RetentionWorkerModule } from './modules/retention/retention-worker.module';
import { type Env } from './config/env.schema';
import { DatabaseModule } from './database/database.module';
import { QueuesModule } from './queues/queues.module';
import { SystemProcessor } from './queues/system.processor';

/** The worker process: the same code as the API, with the Bull processors and no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(env),
        LoggingModule,
        DatabaseModule,
        QueuesModule,
        CryptoModule,
        ClockModule,
        RedisModule,
        InstallationWorkerModule,
        AiWorkerModule,
        RetentionWorkerModule,
      ],
      providers: [SystemProcessor],
    };
  }
}
