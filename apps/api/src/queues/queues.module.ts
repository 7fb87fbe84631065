import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { QueueName } from './queue-names';

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
  exports: [BullModule],
})
export class QueuesModule {}
