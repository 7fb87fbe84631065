import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues/queues.module';
import { AiModule } from '../domain/requests/ai.module';
import { AiProcessor } from './ai.processor';
import { IntakeSweepTimer } from './intake-sweep.timer';

/** The worker side: the `ai` queue's consumer and the intake sweeper. */
@Module({
  imports: [AiModule, QueuesModule],
  providers: [AiProcessor, IntakeSweepTimer],
  exports: [IntakeSweepTimer],
})
export class AiWorkerModule {}
