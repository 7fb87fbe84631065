import { Injectable } from '@nestjs/common';
import { type DrainData } from '../../queues/job-catalogue';
import { AiPipeline } from './ai-pipeline.service';
import { LeadDrain } from './lead-drain';

/** A `drain` job's work: answer the lead's pending requests, oldest first, under its lock. */
@Injectable()
export class LeadAnswers {
  constructor(
    private readonly drain: LeadDrain,
    private readonly pipeline: AiPipeline,
  ) {}

  async answer(data: DrainData): Promise<void> {
    await this.drain.drain(data.installationId, data.leadId, (row) => this.pipeline.handle(row));
  }
}
