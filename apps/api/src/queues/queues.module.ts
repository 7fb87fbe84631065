import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { QueueName } from './job-catalogue';
import { jobQueueProviders } from './job-queue';

/** Bull's connection, its queues, and the typed `JobQueue` over each (`@InjectJobQueue`). */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        redis: config.get('REDIS_URL'),
        prefix: config.get('REDIS_PREFIX'),
      }),
    }),
    BullModule.registerQueue(
      { name: QueueName.System },
      { name: QueueName.Installation },
      { name: QueueName.Ai },
    ),
  ],
  providers: jobQueueProviders,
  exports: [BullModule, ...jobQueueProviders],
})
export class QueuesModule {}
