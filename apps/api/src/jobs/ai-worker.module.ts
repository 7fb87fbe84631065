import { Module } from '@nestjs/common';
import { AiModule } from '../domain/requests/ai.module';
import { AiWorker } from './ai-worker.service';

/** The worker side: the `ai` queue's processor and the intake sweeper. */
@Module({ imports: [AiModule], providers: [AiWorker], exports: [AiWorker] })
export class AiWorkerModule {}
