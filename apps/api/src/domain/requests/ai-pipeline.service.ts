import { type LeadFieldKey, type StoredErrorClass } from '@gpt-bridge/shared';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { AppConfig } from '../../config/app-config';
import { FieldsService } from '../fields/fields.service';
import { BotEchoes } from '../handoff/bot-echoes';
import { pauseLogLine, withHandbackMarker } from '../handoff/handback';
import { type LeadPause } from '../handoff/lead-pause.entity';
import { LeadPauses } from '../handoff/lead-pauses.service';
import { type Installation } from '../installations/installation.entity';
import { InstallationsRepository } from '../installations/installations.repository';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { KommoApiError } from '../../integrations/kommo/kommo-errors';
import { QuotaGate } from '../plans/quota-gate';
import { type AiRequestRow } from './ai-request.entity';
import { type RequestOutcome } from './ai-request.types';
import { AnswerWriter, UndeliverableError } from './delivery/answer-writer';
import { AskProvider } from './ask-provider';
import { ConversationsRepository } from './conversations.repository';
import { fieldText } from './lead-fields';
import { MediaPreparer } from './media/media-preparer';
import { ProviderError } from '../../integrations/ai-providers/provider-error';
import { recordingMemory, withAskRecord } from './prompt-record';
import { ProviderSettingsService } from './provider-settings.service';
import { QuotaCheck } from './quota-check';
import { RequestOutcomesRepository } from './request-outcomes.repository';
import { RequestsRepository } from './requests.repository';

// Past these, a request that keeps failing (Kommo down for long) ends `failed`.
const MAX_ATTEMPTS = 10;

type Source = { prompt: string; message: string };

/** The outcome, and the handback marker it carried to the provider (dropped once stored). */
type Decision = { outcome: RequestOutcome; handback: string | null };

/**
 * One request from stored to answered: read what to ask, check the quota, call the provider
 * (retrying what is worth retrying), store the outcome, then write it into Kommo. Each step is
 * safe to run again after a crash.
 */
@Injectable()
export class AiPipeline {
  private readonly logger = new Logger(AiPipeline.name);

  constructor(
    private readonly store: RequestsRepository,
    private readonly outcomes: RequestOutcomesRepository,
    private readonly writer: AnswerWriter,
    private readonly settings: ProviderSettingsService,
    private readonly ask: AskProvider,
    private readonly memories: ConversationsRepository,
    private readonly media: MediaPreparer,
    private readonly quotaCheck: QuotaCheck,
    private readonly quota: QuotaGate,
    private readonly fields: FieldsService,
    private readonly kommo: KommoClientFactory,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly installations: InstallationsRepository,
    private readonly pauses: LeadPauses,
    private readonly echoes: BotEchoes,
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
      if (row.status !== 'answered') {
        const { outcome, handback } = await this.decide(installation, current);
        // Nothing between the provider's answer and this statement but building the outcome.
        await this.outcomes.saveOutcome(row, outcome);
        current = withOutcome(current, outcome);
        if (handback !== null && outcome.kind === 'answer') {
          await this.pauses.handbackCarried(installation.id, row.leadId, handback);
        }
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

  private async decide(installation: Installation, row: AiRequestRow): Promise<Decision> {
    const started = Date.now();
    // A person is talking to the customer: no lead read, no quota, no provider.
    const pause = await this.pauses.activeFor(installation.id, row.leadId);
    if (pause) {
      const message = 'a person of the team is talking to the customer: not sent to the provider';
      const outcome = errorOutcome(pauseLogLine(pause), 'paused_by_person', message, {
        refused: true,
      });
      return { outcome, handback: null };
    }
    const source = await this.source(installation, row);
    const quota = await this.quotaCheck.check(
      {
        id: row.id,
        installationId: installation.id,
        leadId: row.leadId,
        language: installation.language,
      },
      this.clock.now(),
    );
    if (!quota.allowed) {
      // The cost cap stops the bot like the quota (ON_OFF, refused), under its own code.
      const errorClass = quota.reason === 'cost_cap' ? 'cost_cap' : 'quota';
      const outcome = errorOutcome(quota.logLine, errorClass, quota.reason, {
        stopBot: true,
        refused: true,
      });
      return { outcome, handback: null };
    }
    const stored = await this.settings.load(installation.id);
    let input;
    try {
      input = await this.media.prepare(source.prompt, source.message, stored.openaiApiKey);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      const failed = errorOutcome(error.logLine(), error.errorClass, error.message);
      return { outcome: { ...failed, latencyMs: Date.now() - started }, handback: null };
    }
    if (input.text === '' && input.images.length === 0) {
      const outcome = errorOutcome(
        'ERROR: the prompt is empty (the PROMPT field had no text when the webhook was called)',
        'empty_prompt',
        'empty prompt',
      );
      return { outcome, handback: null };
    }
    // The first answer to the customer after a pause hears what the team said meanwhile.
    const handback =
      row.kind === 'assistant'
        ? await this.pauses.pendingHandback(installation.id, row.leadId)
        : null;
    if (handback !== null) input = { ...input, text: withHandbackMarker(handback, input.text) };
    const asks = await this.store.beginAsk(row.id);
    let memoryMessages = () => 0;
    const outcome = await this.ask.run({
      kind: row.kind,
      params: row.params,
      stored,
      input,
      memoryFor: (key) => {
        const recording = recordingMemory(this.memories.forLead(installation.id, row.leadId, key));
        memoryMessages = recording.messages;
        return recording.memory;
      },
      user: `kommo-${installation.kommoAccountId}-${row.leadId}`,
      // An earlier start died before its outcome was stored: its answer may be on record.
      resume: asks > 1,
    });
    // Latency covers the whole step: reading the lead, media and the provider.
    const timed = { ...outcome, latencyMs: Date.now() - started };
    return { outcome: withAskRecord(timed, input, memoryMessages()), handback };
  }

  /** What to ask: the lead's PROMPT and MESSAGE (classic), or the block's data (widget). */
  private async source(installation: Installation, row: AiRequestRow): Promise<Source> {
    if (row.mode === 'widget' && row.params.widget) {
      const data = row.params.widget.data;
      const text = (key: string) => (typeof data[key] === 'string' ? data[key] : '');
      const message = text('message');
      return { prompt: text('prompt') || message, message };
    }
    const fields = await this.fields.activeFields(installation.id);
    const id = (key: LeadFieldKey) => fields.find((field) => field.key === key)?.kommoFieldId;
    // The webhook already carried the lead's fields: one Kommo call (the PATCH) instead of two.
    const carried = row.params.leadFields;
    const promptId = id('PROMPT');
    if (carried && promptId !== undefined && carried[String(promptId)] !== undefined) {
      const messageId = id('MESSAGE');
      return {
        prompt: carried[String(promptId)] ?? '',
        message: messageId === undefined ? '' : (carried[String(messageId)] ?? ''),
      };
    }
    const client = this.kommo.forInstallation({
      installationId: installation.id,
      host: installation.host,
      subdomain: installation.subdomain,
    });
    let lead;
    try {
      lead = await client.getLead(row.leadId);
    } catch (error) {
      if (error instanceof KommoApiError && !error.retryable) {
        throw new UndeliverableError(error.code, `Kommo refused the lead read: ${error.message}`);
      }
      throw error;
    }
    if (!lead) throw new UndeliverableError('lead_not_found', `lead ${row.leadId} does not exist`);
    return { prompt: fieldText(lead, id('PROMPT')), message: fieldText(lead, id('MESSAGE')) };
  }
}

function errorOutcome(
  logLine: string,
  errorClass: StoredErrorClass,
  errorMessage: string,
  flags: { stopBot?: boolean; refused?: boolean } = {},
): RequestOutcome {
  return {
    kind: 'error',
    logLine,
    errorClass,
    errorMessage,
    provider: null,
    model: null,
    latencyMs: null,
    stopBot: flags.stopBot ?? false,
    refused: flags.refused ?? false,
  };
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
  };
}
