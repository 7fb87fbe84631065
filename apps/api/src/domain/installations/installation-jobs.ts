import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { SecretBox } from '../../common/crypto/secret-box';
import { QueueName } from '../../queues/job-catalogue';
import { InjectJobQueue, type JobQueue } from '../../queues/job-queue';
import { type KommoHost } from '../../integrations/kommo/kommo-host';

export const CODE_CONTEXT = 'jobs.exchange-code';

/** How often the scheduled token refresh runs (ScheduledTokenRefresh says what it refreshes). */
const REFRESH_EVERY_MS = 10 * 60_000;

/** Producer side of the installation queue (the API enqueues, the worker runs). */
@Injectable()
export class InstallationJobs {
  constructor(
    @InjectJobQueue(QueueName.Installation)
    private readonly queue: JobQueue<typeof QueueName.Installation>,
    private readonly box: SecretBox,
  ) {}

  /** Kommo sends the install call once; the code lives 20 minutes, so the job retries within that. */
  async exchangeCode(target: KommoHost, code: string): Promise<void> {
    await this.queue.enqueue(
      'exchange-code',
      { ...target, codeEnc: this.box.encrypt(code, CODE_CONTEXT) },
      // The same code twice is one job.
      { jobId: `code:${createHash('sha256').update(code).digest('hex')}` },
    );
  }

  async provisionFields(installationId: string): Promise<void> {
    await this.queue.enqueue('provision-fields', { installationId });
  }

  /** Subscribes the account webhook that reports a person writing (issue 22); one per install. */
  async subscribeChatEvents(installationId: string): Promise<void> {
    await this.queue.enqueue('subscribe-chat-events', { installationId });
  }

  /** Re-reads the account (subdomain, language), which can change after install. */
  async syncAccount(installationId: string): Promise<void> {
    await this.queue.enqueue('sync-account', { installationId });
  }

  /**
   * The token refresh every REFRESH_EVERY_MS. Bull keys a repeatable job by its name and
   * interval, so every worker may declare it at start and one schedule results.
   */
  async scheduleTokenRefresh(): Promise<void> {
    await this.queue.enqueue('refresh-tokens', {}, { repeat: { every: REFRESH_EVERY_MS } });
  }
}
