import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { QueueName } from '../queues/job-catalogue';
import { InjectJobQueue, type JobQueue } from '../queues/job-queue';
import { LeadAnswers } from '../domain/requests/lead-answers';

/** The `ai` queue's consumer: each job answers one lead's pending requests. */
@Injectable()
export class AiProcessor implements OnApplicationBootstrap {
  constructor(
    @InjectJobQueue(QueueName.Ai) private readonly queue: JobQueue<typeof QueueName.Ai>,
    private readonly answers: LeadAnswers,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const concurrency = this.config.get('AI_WORKER_CONCURRENCY');
    this.queue.consume('drain', concurrency, (job) => this.answers.answer(job.data));
  }
}
