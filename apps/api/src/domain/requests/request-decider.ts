import { type LeadFieldKey, type StoredErrorClass } from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { ProviderError } from '../../integrations/ai-providers/provider-error';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { KommoApiError } from '../../integrations/kommo/kommo-errors';
import { ExtractionRunner, type PreparedExtraction } from '../extraction/extraction-runner';
import { FieldsService } from '../fields/fields.service';
import { pauseLogLine, withHandbackMarker } from '../handoff/handback';
import { LeadPauses } from '../handoff/lead-pauses.service';
import { type Installation } from '../installations/installation.entity';
import { type AiRequestRow } from './ai-request.entity';
import { type RequestOutcome } from './ai-request.types';
import { AskProvider } from './ask-provider';
import { ConversationsRepository } from './conversations.repository';
import { UndeliverableError } from './delivery/answer-writer';
import { fieldText } from './lead-fields';
import { MediaPreparer } from './media/media-preparer';
import { recordingMemory, withAskRecord } from './prompt-record';
import { ProviderSettingsService } from './provider-settings.service';
import { QuotaCheck } from './quota-check';
import { RequestsRepository } from './requests.repository';

/** `responsibleUserId`: undefined when the lead was not read (the webhook carried its fields). */
type Source = { prompt: string; message: string; responsibleUserId?: number | null };

/** The outcome, and the handback marker it carried to the provider (dropped once stored). */
export type Decision = { outcome: RequestOutcome; handback: string | null };

/**
 * The provider step of a request (AiPipeline's "decide"): a paused lead, what to ask (the lead's
 * fields or the block's data), the quota and cost cap, the extraction's reads, media, the handback
 * marker, the provider call, and the extraction's plan on the answer. Nothing here writes to Kommo.
 */
@Injectable()
export class RequestDecider {
  constructor(
    private readonly store: RequestsRepository,
    private readonly settings: ProviderSettingsService,
    private readonly ask: AskProvider,
    private readonly memories: ConversationsRepository,
    private readonly media: MediaPreparer,
    private readonly quotaCheck: QuotaCheck,
    private readonly fields: FieldsService,
    private readonly kommo: KommoClientFactory,
    private readonly clock: Clock,
    private readonly pauses: LeadPauses,
    private readonly extractions: ExtractionRunner,
  ) {}

  async decide(installation: Installation, row: AiRequestRow): Promise<Decision> {
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
    let extraction: PreparedExtraction | undefined;
    if (row.params.extract) {
      const prepared = await this.kommoRead('the extraction reads', () =>
        this.extractions.prepare(
          installation,
          row.params.extract!,
          { kind: row.kind, mode: row.mode, assistantProvider: stored.assistant.provider },
          this.clock.now(),
        ),
      );
      if ('refused' in prepared) {
        const refused = `ERROR ${prepared.refused}`.slice(0, 250);
        return { outcome: errorOutcome(refused, 'config', prepared.refused), handback: null };
      }
      extraction = prepared;
      if (prepared.needsResponsibleUser && source.responsibleUserId === undefined) {
        const lead = await this.kommoRead('the lead read', () =>
          this.clientFor(installation).getLead(row.leadId),
        );
        source.responsibleUserId = lead?.responsible_user_id ?? null;
      }
    }
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
      ...(extraction
        ? { extraction: { format: extraction.format, instructions: extraction.instructions } }
        : {}),
    });
    // Latency covers the whole step: reading the lead, media and the provider.
    const latencyMs = Date.now() - started;
    const asked = withAskRecord({ ...outcome, latencyMs }, input, memoryMessages());
    if (!extraction || asked.kind !== 'answer') return { outcome: asked, handback };
    const plan = this.extractions.plan(extraction, asked.answer, source.responsibleUserId ?? null);
    if ('refused' in plan) {
      const failed = errorOutcome(
        `ERROR ${plan.refused}`.slice(0, 250),
        'empty_answer',
        plan.refused,
      );
      const { provider, model, prompt, costUsd } = asked;
      return { outcome: { ...failed, provider, model, latencyMs, prompt, costUsd }, handback };
    }
    return {
      outcome: {
        ...asked,
        answer: plan.answer,
        logLine: `${asked.logLine}; ${plan.logSummary}`,
        extraction: { trace: plan.trace, writes: plan.writes },
      },
      handback,
    };
  }

  private clientFor(installation: Installation) {
    return this.kommo.forInstallation({
      installationId: installation.id,
      host: installation.host,
      subdomain: installation.subdomain,
    });
  }

  /** A Kommo read before the provider: refused for good ends the request, else the job retries. */
  private async kommoRead<T>(what: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof KommoApiError && !error.retryable) {
        throw new UndeliverableError(error.code, `Kommo refused ${what}: ${error.message}`);
      }
      throw error;
    }
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
    const lead = await this.kommoRead('the lead read', () =>
      this.clientFor(installation).getLead(row.leadId),
    );
    if (!lead) throw new UndeliverableError('lead_not_found', `lead ${row.leadId} does not exist`);
    return {
      prompt: fieldText(lead, id('PROMPT')),
      message: fieldText(lead, id('MESSAGE')),
      responsibleUserId: lead.responsible_user_id ?? null,
    };
  }
}

export function errorOutcome(
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
