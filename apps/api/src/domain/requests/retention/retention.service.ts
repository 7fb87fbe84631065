import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { ConversationsRepository } from '../conversations.repository';
import { RequestsRetentionRepository } from '../requests-retention.repository';
import { RetentionStore } from './retention.store';

/** Rows per statement: a batch commits in well under a second even on a busy 2-core machine. */
export const RETENTION_BATCH_ROWS = 5_000;
// A breath between batches, so the job never keeps the database's disk and CPU busy without a gap.
const BATCH_PAUSE_MS = 20;
// Uninstalled accounts looked at per run; the next run takes the rest.
const PURGES_PER_RUN = 50;

export type RetentionReport = {
  /** Requests whose texts were removed (older than RETENTION_DAYS). */
  textsRemoved: number;
  /** Conversation memories untouched for RETENTION_DAYS, forgotten. */
  conversationsForgotten: number;
  /** Installations whose grace period after uninstalling ended, and what went with them. */
  accountsPurged: number;
  requestsDeleted: number;
  batches: number;
  /** True when the run stopped at its deadline with work left for the next one. */
  unfinished: boolean;
};

/**
 * One pass of retention (docs/architecture.md, "Retention"): customer texts of old requests,
 * idle conversation memory, then the personal data of accounts uninstalled past the grace
 * period. Everything goes in batches of RETENTION_BATCH_ROWS, one short transaction each.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    private readonly store: RetentionStore,
    private readonly requests: RequestsRetentionRepository,
    private readonly conversations: ConversationsRepository,
    private readonly config: AppConfig,
  ) {}

  /** Runs until nothing is left or `deadline` (epoch ms) has passed. */
  async run(deadline = Number.POSITIVE_INFINITY): Promise<RetentionReport> {
    const days = this.config.get('RETENTION_DAYS');
    const purgeDays = this.config.get('UNINSTALL_PURGE_DAYS');
    const report: RetentionReport = {
      textsRemoved: 0,
      conversationsForgotten: 0,
      accountsPurged: 0,
      requestsDeleted: 0,
      batches: 0,
      unfinished: false,
    };
    /** Runs `batch` until it touches fewer rows than a full batch; false at the deadline. */
    const drain = async (batch: () => Promise<number>, add: (n: number) => void) => {
      for (;;) {
        if (Date.now() > deadline) return false;
        const n = await batch();
        report.batches += 1;
        add(n);
        if (n < RETENTION_BATCH_ROWS) return true;
        await sleep(BATCH_PAUSE_MS);
      }
    };
    const steps = [
      () =>
        drain(
          () => this.requests.removeOldTexts(days, RETENTION_BATCH_ROWS),
          (n) => (report.textsRemoved += n),
        ),
      () =>
        drain(
          () => this.conversations.forgetIdle(days, RETENTION_BATCH_ROWS),
          (n) => (report.conversationsForgotten += n),
        ),
      () => this.purgeUninstalled(purgeDays, report, drain),
    ];
    for (const step of steps) {
      if (!(await step())) {
        report.unfinished = true;
        break;
      }
    }
    return report;
  }

  private async purgeUninstalled(
    days: number,
    report: RetentionReport,
    drain: (batch: () => Promise<number>, add: (n: number) => void) => Promise<boolean>,
  ): Promise<boolean> {
    for (const id of await this.store.purgeDue(days, PURGES_PER_RUN)) {
      let requests = 0;
      let conversations = 0;
      const requestBatch = () => this.requests.deletePurgeBatch(id, days, RETENTION_BATCH_ROWS);
      const memoryBatch = () => this.conversations.deletePurgeBatch(id, days, RETENTION_BATCH_ROWS);
      if (!(await drain(requestBatch, (n) => (requests += n)))) return false;
      if (!(await drain(memoryBatch, (n) => (conversations += n)))) return false;
      const rest = await this.store.finishPurge(id, days);
      if (rest === null) continue; // reinstalled meanwhile: what is left stays
      report.accountsPurged += 1;
      report.requestsDeleted += requests + rest.requests;
      this.logger.log(
        {
          installationId: id,
          requests: requests + rest.requests,
          conversations: conversations + rest.conversations,
        },
        'uninstalled account purged after its grace period',
      );
    }
    return true;
  }
}
