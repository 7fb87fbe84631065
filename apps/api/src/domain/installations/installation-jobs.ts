import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { type Queue } from 'bull';
import { createHash } from 'node:crypto';
import { SecretBox } from '../../common/crypto/secret-box';
import { QueueName } from '../../queues/queue-names';
import { type KommoHost } from '../../integrations/kommo/kommo-host';

export const InstallationJob = {
  ExchangeCode: 'exchange-code',
  ProvisionFields: 'provision-fields',
  RefreshTokens: 'refresh-tokens',
  SyncAccount: 'sync-account',
} as const;

export type ExchangeCodeData = KommoHost & { codeEnc: string };
export type ProvisionFieldsData = { installationId: string };
export type SyncAccountData = { installationId: string };

export const CODE_CONTEXT = 'jobs.exchange-code';

// Kommo hiccups are retried with backoff; finished jobs leave Redis, failed ones stay for support.
const RETRIED = {
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: true,
  removeOnFail: 100,
} as const;

/** Producer side of the installation queue (the API enqueues, the worker runs). */
@Injectable()
export class InstallationJobs {
  constructor(
    @InjectQueue(QueueName.Installation) private readonly queue: Queue,
    private readonly box: SecretBox,
  ) {}

  /** Kommo sends the install call once; the code lives 20 minutes, so retry within that. */
  async exchangeCode(target: KommoHost, code: string): Promise<void> {
    const data: ExchangeCodeData = { ...target, codeEnc: this.box.encrypt(code, CODE_CONTEXT) };
    await this.queue.add(InstallationJob.ExchangeCode, data, {
      // The same code twice is one job.
      jobId: `code:${createHash('sha256').update(code).digest('hex')}`,
      attempts: 6,
      ...RETRIED,
    });
  }

  async provisionFields(installationId: string): Promise<void> {
    const data: ProvisionFieldsData = { installationId };
    await this.queue.add(InstallationJob.ProvisionFields, data, {
      attempts: 5,
      ...RETRIED,
    });
  }

  /** Re-reads the account (subdomain, language), which can change after install. */
  async syncAccount(installationId: string): Promise<void> {
    const data: SyncAccountData = { installationId };
    await this.queue.add(InstallationJob.SyncAccount, data, {
      attempts: 3,
      ...RETRIED,
    });
  }
}
