import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { type Job } from 'bull';
import { QueueName } from '../queues/queue-names';

export type PingJob = { sentAt: string };

/** Answers `ping` jobs so an operator (and a test) can see that a worker is consuming. */
@Processor(QueueName.System)
export class SystemProcessor {
  private readonly logger = new Logger(SystemProcessor.name);

  @Process('ping')
  ping(job: Job<PingJob>): { pong: true; sentAt: string; pid: number } {
    this.logger.log({ jobId: job.id }, 'ping');
    return { pong: true, sentAt: job.data.sentAt, pid: process.pid };
  }
}
