import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { QueueName } from '../queues/job-catalogue';
import { InjectJobQueue, type JobQueue } from '../queues/job-queue';

/** Answers `ping` jobs so an operator (and a test) can see that a worker is consuming. */
@Injectable()
export class SystemProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(SystemProcessor.name);

  constructor(
    @InjectJobQueue(QueueName.System) private readonly queue: JobQueue<typeof QueueName.System>,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.consume('ping', 1, (job) => {
      this.logger.log({ jobId: job.id }, 'ping');
      return { pong: true, sentAt: job.data.sentAt, pid: process.pid };
    });
  }
}
