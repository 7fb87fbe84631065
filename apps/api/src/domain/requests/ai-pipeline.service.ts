import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { AppConfig } from '../../config/app-config';
import { KommoApiError } from '../../integrations/kommo/kommo-errors';
import { BotEchoes } from '../handoff/bot-echoes';
import { pauseLogLine } from '../handoff/handback';
import { type LeadPause } from '../handoff/lead-pause.entity';
import { LeadPauses } from '../handoff/lead-pauses.service';
import { type Installation } from '../installations/installation.entity';
import { InstallationsRepository } from '../installations/installations.repository';
import { QuotaGate } from '../plans/quota-gate';
import { type AiRequestRow } from './ai-request.entity';
import { type RequestOutcome } from './ai-request.types';
import { RequestCoalescer } from './coalesce/request-coalescer';
import { AnswerWriter, UndeliverableError } from './delivery/answer-writer';
import { RequestDecider } from './request-decider';
import { RequestOutcomesRepository } from './request-outcomes.repository';
import { RequestsRepository } from './requests.repository';

// Past these, a request that keeps failing (Kommo down for long) ends `failed`.
const MAX_ATTEMPTS = 10;

/**
 * One request from stored to answered: claim it, let the newest of a burst answer, ask
 * RequestDecider for the outcome (what to ask, quota, the provider), store it, stay silent while a
 * person has the lead, then write it into Kommo. Each step is safe to run again after a crash.
 */
@Injectable()
export class AiPipeline {
  private readonly logger = new Logger(AiPipeline.name);

  constructor(
    private readonly store: RequestsRepository,
    private readonly outcomes: RequestOutcomesRepository,
    private readonly writer: AnswerWriter,
    private readonly decider: RequestDecider,
    private readonly quota: QuotaGate,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly installations: InstallationsRepository,
    private readonly pauses: LeadPauses,
    private readonly echoes: BotEchoes,
    private readonly coalescer: RequestCoalescer,
  ) {}

  async handle(row: AiRequestRow): Promise<void> {
    const attempts = await this.store.claim(row.id);
    const installation = await this.installations.findById(row.installationId);
    // Uninstalled or refused by Kommo: no provider call and no Kommo call.
    if (!installation || installation.status !== 'active') {
      await this.outcomes.finish(row.id, 'failed', this.clock.now(), {
        errorClass: 'installation_inactive',
        errorMessage: `installation is ${installation?.status ?? 'gone'}`,
      });
      return;
    }
    if (attempts > MAX_ATTEMPTS) {
      await this.outcomes.finish(row.id, 'failed', this.clock.now(), {
        errorClass: 'gave_up',
        errorMessage: `no success after ${MAX_ATTEMPTS} attempts`,
      });
      return;
    }
    try {
      let current = { ...row, attempts };
      // One answer per burst: a newer request of the lead answers for this one (coalesce/).
      if (await this.coalescer.closeIfSuperseded(installation, current)) return;
      if (row.status !== 'answered') {
        const { outcome, handback } = await this.decider.decide(installation, current);
        // Nothing between the provider's answer and this statement but building the outcome.
        await this.outcomes.saveOutcome(row, outcome);
        current = withOutcome(current, outcome);
        if (handback !== null && outcome.kind === 'answer') {
          await this.pauses.handbackCarried(installation.id, row.leadId, handback);
        }
        // The customer wrote again while the provider answered: the newer request answers both.
        if (await this.coalescer.closeIfSuperseded(installation, current)) return;
      }
      // A person may have written while the provider answered: then this answer is not sent.
      const pause = await this.pauses.activeFor(installation.id, row.leadId);
      if (pause || current.errorClass === 'paused_by_person') {
        await this.keepSilent(installation, current, pause);
        return;
      }
      // Before the delivery: the chat may report the bot's message back at once (variant B).
      if (current.answer !== null) {
        await this.echoes.remember(installation.id, row.leadId, current.answer);
      }
      await this.writer.deliver(installation, current);
      const final = current.answer !== null ? 'done' : current.stopBot ? 'refused' : 'failed';
      const finished = await this.outcomes.finish(row.id, final, this.clock.now());
      if (finished?.counted) await this.warnIfNeeded(finished.installationId, finished.leadId);
    } catch (error) {
      if (error instanceof UndeliverableError) {
        this.logger.warn({ requestId: row.id, errorClass: error.errorClass }, error.message);
        await this.outcomes.finish(row.id, 'failed', this.clock.now(), {
          errorClass: error.errorClass,
          errorMessage: error.message,
        });
        return;
      }
      if (error instanceof KommoApiError && error.kind === 'blocked') {
        await this.whileBlocked(row, error);
        return;
      }
      // Kommo or the database hiccuped: the job is retried with backoff, the row stays pending.
      throw error;
    }
  }

  /**
   * Kommo blocked the account (403 after 429s): nothing reached Kommo, and a stored answer stays
   * stored. Within the salesbot's patience the request is retried (Bull's backoff, then the
   * sweeper) without spending one of its attempts; after it, it ends `failed` (`kommo_blocked`).
   */
  private async whileBlocked(row: AiRequestRow, error: KommoApiError): Promise<void> {
    const ageMs = Date.now() - row.receivedAt.getTime();
    if (ageMs < this.config.get('KOMMO_BLOCK_PATIENCE_SECONDS') * 1000) {
      await this.store.returnAttempt(row.id);
      this.logger.warn({ requestId: row.id, ageMs }, 'Kommo blocked the account; will retry');
      throw error;
    }
    await this.outcomes.finish(row.id, 'failed', this.clock.now(), {
      errorClass: 'kommo_blocked',
      errorMessage: `Kommo kept the account blocked past the salesbot's patience: ${error.message}`,
    });
  }

  /**
   * The lead is paused (issue 22): the template hears "a person has it" instead of an answer
   * (classic: ON_OFF and LOG; widget block: its `human` exit). A stored answer stays in the row,
   * marked `superseded_by_human`; a request the pause kept from the provider ends `refused`.
   */
  private async keepSilent(
    installation: Installation,
    row: AiRequestRow,
    pause: LeadPause | null,
  ): Promise<void> {
    await this.writer.deliverHuman(installation, row, pauseLogLine(pause));
    if (!(row.mode === 'widget' && row.params.widget)) {
      await this.pauses.markOnOffSet(installation.id, row.leadId);
    }
    if (row.answer !== null) {
      await this.outcomes.finish(row.id, 'refused', this.clock.now(), {
        errorClass: 'superseded_by_human',
        errorMessage: 'a person wrote in the chat while the AI answered: the answer was not sent',
      });
      return;
    }
    const paused = row.errorClass === 'paused_by_person';
    await this.outcomes.finish(row.id, paused ? 'refused' : 'failed', this.clock.now());
  }

  /** The 80 %/95 % notes must not make an answered request fail. */
  private async warnIfNeeded(installationId: string, leadId: number): Promise<void> {
    try {
      await this.quota.afterCounted(installationId, leadId, this.clock.now());
    } catch (error) {
      this.logger.warn({ installationId, err: (error as Error).message }, 'quota warning failed');
    }
  }
}

/** The row as saveOutcome left it, without reading it back. */
function withOutcome(row: AiRequestRow, outcome: RequestOutcome): AiRequestRow {
  const answered = outcome.kind === 'answer';
  return {
    ...row,
    status: 'answered',
    provider: outcome.provider,
    model: outcome.model,
    answer: answered ? outcome.answer : null,
    logLine: outcome.logLine,
    errorClass: answered ? null : outcome.errorClass,
    errorMessage: answered ? null : outcome.errorMessage,
    reachedProvider: answered,
    stopBot: answered ? false : outcome.stopBot,
    extraction: answered ? (outcome.extraction?.trace ?? null) : null,
    extractionWrites: answered ? (outcome.extraction?.writes ?? null) : null,
  };
}
