import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger, type OnModuleInit } from '@nestjs/common';
import { type Job, type Queue } from 'bull';
import { SecretBox } from '../common/crypto/secret-box';
import { QueueName } from '../queues/queue-names';
import { FieldProvisioner } from '../domain/fields/field-provisioner';
import {
  CODE_CONTEXT,
  type ExchangeCodeData,
  InstallationJob,
  InstallationJobs,
  type ProvisionFieldsData,
  type SyncAccountData,
} from '../domain/installations/installation-jobs';
import { AccountSync } from '../domain/installations/account-sync';
import { InstallationService } from '../domain/installations/installation.service';
import { InstallationsRepository } from '../domain/installations/installations.repository';
import { OAuthRejectedError } from '../integrations/kommo/kommo-oauth.client';
import { TokenService } from '../domain/installations/token.service';

/** Refresh tokens expiring within this window; the job runs every REFRESH_EVERY_MS. */
const REFRESH_AHEAD_MS = 2 * 60 * 60_000;
const REFRESH_EVERY_MS = 10 * 60_000;

@Processor(QueueName.Installation)
export class InstallationProcessor implements OnModuleInit {
  private readonly logger = new Logger(InstallationProcessor.name);

  constructor(
    @InjectQueue(QueueName.Installation) private readonly queue: Queue,
    private readonly installationRows: InstallationsRepository,
    private readonly box: SecretBox,
    private readonly installations: InstallationService,
    private readonly jobs: InstallationJobs,
    private readonly tokens: TokenService,
    private readonly provisioner: FieldProvisioner,
    private readonly accounts: AccountSync,
  ) {}

  async onModuleInit(): Promise<void> {
    // Repeatable jobs are deduplicated by Bull, so every worker may declare it.
    await this.queue.add(
      InstallationJob.RefreshTokens,
      {},
      { repeat: { every: REFRESH_EVERY_MS }, removeOnComplete: true, removeOnFail: 20 },
    );
  }

  @Process(InstallationJob.ExchangeCode)
  async exchangeCode(job: Job<ExchangeCodeData>): Promise<{ installationId: string }> {
    const { codeEnc, host, subdomain } = job.data;
    try {
      const code = this.box.decrypt(codeEnc, CODE_CONTEXT);
      const { installation, token } = await this.installations.completeInstall(
        { host, subdomain },
        code,
      );
      // Creating fields is admin-only in Kommo: a non-admin's token would only collect 403s.
      if (token === 'stored' && installation.tokenUserIsAdmin !== false) {
        await this.jobs.provisionFields(installation.id);
      }
      return { installationId: installation.id };
    } catch (error) {
      // A refused code stays refused: retrying only burns the 20 minutes.
      if (error instanceof OAuthRejectedError) await job.discard();
      throw error;
    }
  }

  @Process(InstallationJob.ProvisionFields)
  async provisionFields(job: Job<ProvisionFieldsData>) {
    return this.provisioner.provision(job.data.installationId);
  }

  // Concurrent on purpose: these are single Kommo reads, paced by the shared rate limiter.
  @Process({ name: InstallationJob.SyncAccount, concurrency: 20 })
  async syncAccount(job: Job<SyncAccountData>) {
    return this.accounts.sync(job.data.installationId);
  }

  @Process(InstallationJob.RefreshTokens)
  async refreshTokens(): Promise<{ refreshed: number; failed: number }> {
    const due = await this.installationRows.idsExpiringWithin(REFRESH_AHEAD_MS);
    let failed = 0;
    for (const id of due) {
      try {
        await this.tokens.refresh(id, { expiringBefore: Date.now() + REFRESH_AHEAD_MS });
      } catch (error) {
        failed++;
        this.logger.warn(
          { installationId: id, error: error instanceof Error ? error.message : String(error) },
          'scheduled token refresh failed',
        );
      }
    }
    return { refreshed: due.length - failed, failed };
  }
}
