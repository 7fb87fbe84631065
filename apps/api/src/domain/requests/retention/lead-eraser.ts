import { type LeadEraseResult } from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { RequestError } from '../request-errors';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { LeadPausesRepository } from '../../handoff/lead-pauses.repository';
import { ConversationsRepository } from '../conversations.repository';
import { LeadLocksRepository } from '../lead-locks.repository';
import { RequestsRetentionRepository } from '../requests-retention.repository';

export type { LeadEraseResult };

// How long an erase waits for a worker that is answering the lead right now.
const LOCK_WAIT = '5s';

/**
 * Erases one lead's data on request (support, in the admin panel): its requests' texts and its
 * conversation memory, so its next message starts a new conversation. Counts, usage and the
 * rows themselves stay. Holds the lead's lock (the one a worker answers it under), so no worker
 * saves an answer or a memory for the lead while it runs.
 */
@Injectable()
export class LeadEraser {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly locks: LeadLocksRepository,
    private readonly requests: RequestsRetentionRepository,
    private readonly conversations: ConversationsRepository,
    private readonly pauses: LeadPausesRepository,
  ) {}

  /** `record` writes the audit entry in the same transaction. */
  async erase(
    installationId: string,
    leadId: number,
    record: (manager: EntityManager, result: LeadEraseResult) => Promise<void>,
  ): Promise<LeadEraseResult> {
    return this.db.transaction(async (manager) => {
      if (!(await this.locks.lockInTransaction(manager, installationId, leadId, LOCK_WAIT))) {
        throw new RequestError(
          'lead_busy',
          'A worker is answering this lead right now; try again in a minute.',
        );
      }
      const cleared = await this.requests.eraseLead(manager, installationId, leadId);
      const forgotten = await this.conversations.forgetLead(manager, installationId, leadId);
      // The pause keeps what the team wrote for the handback: the lead's text too.
      await this.pauses.forgetLead(manager, installationId, leadId);
      const result: LeadEraseResult = {
        leadId,
        requestsCleared: cleared.length,
        pendingEnded: cleared.filter((was) => ['queued', 'processing', 'answered'].includes(was))
          .length,
        conversationsForgotten: forgotten,
      };
      await record(manager, result);
      return result;
    });
  }
}
