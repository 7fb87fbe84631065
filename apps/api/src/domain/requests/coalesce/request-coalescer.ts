import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock';
import { AppConfig } from '../../../config/app-config';
import { KommoClientFactory } from '../../../integrations/kommo/kommo-client';
import { KommoApiError } from '../../../integrations/kommo/kommo-errors';
import { type Installation } from '../../installations/installation.entity';
import { type AiRequestRow } from '../ai-request.entity';
// The continue's `{{json.status}}` is the template's own value: its branch (back to waiting, no
// message) and this continue cannot drift apart.
import { STATUS_COALESCED } from '../../templates/widget-block-template';
import { coalescedMessage, supersededBy } from './coalesce';
import { RequestOutcomesRepository } from '../request-outcomes.repository';
import { RequestCoalesceRepository } from './request-coalesce.repository';

/**
 * One answer per burst: the worker asks `closeIfSuperseded` before it calls the provider and
 * again before it writes into Kommo. When a newer pending request of the same lead answers for
 * this one (coalesce.ts), this one ends `coalesced` without a provider call (or, when the answer
 * was already in hand, without writing it): the newer request reads the lead, or carries the
 * block's data, as they are after the last message, so its answer covers the whole burst.
 */
@Injectable()
export class RequestCoalescer {
  private readonly logger = new Logger(RequestCoalescer.name);

  constructor(
    private readonly store: RequestCoalesceRepository,
    private readonly outcomes: RequestOutcomesRepository,
    private readonly kommo: KommoClientFactory,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** True when the request was ended as coalesced (nothing more to do for it). */
  async closeIfSuperseded(installation: Installation, row: AiRequestRow): Promise<boolean> {
    if (!this.config.get('AI_COALESCE_PENDING')) return false;
    const continuePath = row.params.widget?.continuePath ?? null;
    const newer = supersededBy(
      { seq: row.seq, mode: row.mode, continuePath },
      await this.store.newerPending(row.id),
    );
    if (!newer) return false;
    if (row.mode === 'widget' && row.params.widget) await this.release(installation, row);
    // `done` like any finished request: counted when the provider had answered it (a paid call,
    // its answer kept in the row), not when it ended before the provider.
    const ended = await this.outcomes.finish(row.id, 'done', this.clock.now(), {
      errorClass: 'coalesced',
      errorMessage: coalescedMessage(newer.id),
    });
    if (ended) {
      this.logger.log({ requestId: row.id, into: newer.id }, 'coalesced into a newer request');
    }
    return true;
  }

  /**
   * Every widget_request is continued (a bot left waiting hangs). A coalesced one gets
   * `status: "coalesced"` and no reply, and goes to its block's next step, where the templates
   * branch back to waiting for the customer without a message. Usually Kommo already forgot the
   * continue (the bot moved on to its newer widget_request): a 404 is the expected answer.
   */
  private async release(installation: Installation, row: AiRequestRow): Promise<void> {
    const widget = row.params.widget;
    if (!widget) return;
    const client = this.kommo.forInstallation({
      installationId: installation.id,
      host: installation.host,
      subdomain: installation.subdomain,
    });
    try {
      await client.continueSalesbot(widget.continuePath, {
        data: { reply: '', intent: '', status: STATUS_COALESCED, log: STATUS_COALESCED },
        execute_handlers: [
          { handler: 'goto', params: { type: 'question', step: Number(widget.data.next_step) } },
        ],
      });
    } catch (error) {
      if (!(error instanceof KommoApiError) || error.retryable) throw error;
      if (error.kind !== 'not_found') {
        this.logger.warn({ requestId: row.id, kind: error.kind }, 'coalesced continue refused');
      }
    }
  }
}
