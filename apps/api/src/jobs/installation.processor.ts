import { Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { QueueName } from '../queues/job-catalogue';
import { InjectJobQueue, type JobQueue } from '../queues/job-queue';
import { FieldProvisioner } from '../domain/fields/field-provisioner';
import { EventsSubscription } from '../domain/handoff/events-subscription';
import { AccountSync } from '../domain/installations/account-sync';
import { CodeExchange } from '../domain/installations/code-exchange';
import { InstallationJobs } from '../domain/installations/installation-jobs';
import { ScheduledTokenRefresh } from '../domain/installations/scheduled-token-refresh';
import { OAuthRejectedError } from '../integrations/kommo/kommo-oauth.client';

/** The installation queue's consumer: code exchange, field provisioning, account sync, refresh. */
@Injectable()
export class InstallationProcessor implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    @InjectJobQueue(QueueName.Installation)
    private readonly queue: JobQueue<typeof QueueName.Installation>,
    private readonly jobs: InstallationJobs,
    private readonly codes: CodeExchange,
    private readonly provisioner: FieldProvisioner,
    private readonly accounts: AccountSync,
    private readonly refresh: ScheduledTokenRefresh,
    private readonly chatEvents: EventsSubscription,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.scheduleTokenRefresh();
  }

  onApplicationBootstrap(): void {
    this.queue.consume('exchange-code', 1, async (job) => {
      try {
        return await this.codes.exchange(job.data);
      } catch (error) {
        // A refused code stays refused: retrying only burns the 20 minutes.
        if (error instanceof OAuthRejectedError) await job.discard();
        throw error;
      }
    });
    this.queue.consume('provision-fields', 1, (job) =>
      this.provisioner.provision(job.data.installationId),
    );
    // Concurrent on purpose: these are single Kommo reads, paced by the shared rate limiter.
    this.queue.consume('sync-account', 20, (job) => this.accounts.sync(job.data.installationId));
    this.queue.consume('refresh-tokens', 1, () => this.refresh.refreshDue());
    this.queue.consume('subscribe-chat-events', 2, (job) =>
      this.chatEvents.subscribe(job.data.installationId),
    );
  }
}
