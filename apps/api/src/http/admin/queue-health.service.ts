import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { type Queue } from 'bull';
import { Clock } from '../../common/clock/clock';
import { QueueName } from '../../queues/job-catalogue';
import { type QueueHealth } from '@gpt-bridge/shared';

export type { QueueHealth };

/** Counts per Bull queue, for the panel's queue health view. */
@Injectable()
export class QueueHealthService {
  constructor(
    @InjectQueue(QueueName.System) private readonly system: Queue,
    @InjectQueue(QueueName.Installation) private readonly installation: Queue,
    @InjectQueue(QueueName.Ai) private readonly ai: Queue,
    private readonly clock: Clock,
  ) {}

  async health(): Promise<QueueHealth[]> {
    return Promise.all([this.system, this.installation, this.ai].map((queue) => this.one(queue)));
  }

  private async one(queue: Queue): Promise<QueueHealth> {
    const counts = await queue.getJobCounts();
    // Bull's wait list is LPUSHed, so its oldest job is the last one.
    const [oldest] = counts.waiting > 0 ? await queue.getWaiting(-1, -1) : [];
    return {
      name: queue.name,
      waiting: counts.waiting,
      active: counts.active,
      delayed: counts.delayed,
      failed: counts.failed,
      oldestWaitingSeconds: oldest
        ? Math.max(0, Math.round((Date.now() - oldest.timestamp) / 1000))
        : null,
    };
  }
}
