import {
  ANSWER_RECEIVED_FULL,
  type DeliveryErrorClass,
  type LeadFieldKey,
} from '@gpt-bridge/shared';
import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../../common/errors/app-error';
import { FieldsService } from '../../fields/fields.service';
import { type KommoClient, KommoClientFactory } from '../../../integrations/kommo/kommo-client';
import { KommoApiError, type KommoErrorCode } from '../../../integrations/kommo/kommo-errors';
import { type KommoLeadFieldInput } from '../../../integrations/kommo/kommo-requests';
import { type KommoLead } from '../../../integrations/kommo/kommo-schemas';
import { type Installation } from '../../installations/installation.entity';
import { ON_OFF_VALUES } from '../../templates/template-texts';
import { STATUS_HUMAN } from '../../templates/widget-block-template';
import { type AiRequestRow } from '../ai-request.entity';
import { type WidgetRequestParams } from '../ai-request.types';
import { fieldText } from '../lead-fields';

export type UndeliverableCode = DeliveryErrorClass | KommoErrorCode;

/** Why an outcome could not be written: the request ends `failed` with this class. */
export class UndeliverableError extends AppError<UndeliverableCode> {
  constructor(code: UndeliverableCode, message: string) {
    super(code, 'internal', message);
  }

  /** The class the request keeps (the name logs and the pipeline know). */
  get errorClass(): UndeliverableCode {
    return this.code;
  }
}

// What ON_OFF holds when the backend stops the bot on purpose (quota, disabled account).
const STOP_VALUE = 'stop';

/**
 * Puts a stored outcome into Kommo: one PATCH of the lead's fields (classic mode) or the
 * salesbot continue (widget-block mode). After a crash (attempt > 1) it first checks whether
 * the previous attempt's write already landed, so a customer never gets the answer twice.
 */
@Injectable()
export class AnswerWriter {
  private readonly logger = new Logger(AnswerWriter.name);

  constructor(
    private readonly kommo: KommoClientFactory,
    private readonly fields: FieldsService,
  ) {}

  async deliver(installation: Installation, row: AiRequestRow): Promise<void> {
    const client = this.kommo.forInstallation({
      installationId: installation.id,
      host: installation.host,
      subdomain: installation.subdomain,
    });
    try {
      if (row.mode === 'widget' && row.params.widget) {
        await this.continueBot(client, row, row.params.widget);
      } else {
        await this.patchFields(client, installation.id, row);
      }
    } catch (error) {
      if (error instanceof KommoApiError && !error.retryable) {
        throw new UndeliverableError(error.code, `Kommo refused the write: ${error.message}`);
      }
      throw error;
    }
  }

  /**
   * A person of the team has the lead (issue 22): no answer reaches the customer. Classic: ANSWER
   * empty, LOG says why and ON_OFF holds `#Human`, so the template stops without a word and stays
   * silent on the next messages until the pause's end clears it (docs/kommo-contract.md §8.3).
   * Widget block: the continue says `status: human`, which the block's `human` exit takes.
   */
  async deliverHuman(installation: Installation, row: AiRequestRow, logLine: string) {
    const client = this.kommo.forInstallation({
      installationId: installation.id,
      host: installation.host,
      subdomain: installation.subdomain,
    });
    try {
      if (row.mode === 'widget' && row.params.widget) {
        await this.continueWith(client, row, row.params.widget, {
          reply: '',
          intent: '',
          status: STATUS_HUMAN,
          log: logLine,
        });
        return;
      }
      const ids = await this.fieldIds(installation.id);
      const values: Partial<Record<LeadFieldKey, string>> = {
        ANSWER: '',
        LOG: logLine,
        ANSWER_RECEIVED: ANSWER_RECEIVED_FULL,
        ON_OFF: ON_OFF_VALUES.human,
      };
      await client.patchLead(row.leadId, {
        custom_fields_values: Object.entries(values).map(([key, value]) =>
          fieldWrite(ids[key as LeadFieldKey], value),
        ),
      });
    } catch (error) {
      if (error instanceof KommoApiError && !error.retryable) {
        const code = error.kind === 'not_found' ? 'lead_not_found' : error.code;
        throw new UndeliverableError(code, `Kommo refused the write: ${error.message}`);
      }
      throw error;
    }
  }

  private async patchFields(client: KommoClient, installationId: string, row: AiRequestRow) {
    const ids = await this.fieldIds(installationId);
    // '' = empty the field. ANSWER holds this request's answer or nothing, so a failure never
    // leaves an older answer for the bot to send.
    const values: Partial<Record<LeadFieldKey, string>> = {
      ANSWER: row.answer ?? '',
      LOG: row.logLine ?? '',
      ANSWER_RECEIVED: ANSWER_RECEIVED_FULL,
    };
    if (row.stopBot) values.ON_OFF = STOP_VALUE;
    if (row.attempts > 1) {
      const lead = await client.getLead(row.leadId);
      if (!lead) {
        throw new UndeliverableError('lead_not_found', `lead ${row.leadId} no longer exists`);
      }
      if (alreadyWritten(lead, ids, values)) {
        this.logger.log({ requestId: row.id }, 'answer already in the lead; not written again');
        return;
      }
    }
    const custom_fields_values: KommoLeadFieldInput[] = Object.entries(values).map(([key, value]) =>
      fieldWrite(ids[key as LeadFieldKey], value),
    );
    try {
      await client.patchLead(row.leadId, { custom_fields_values });
    } catch (error) {
      if (error instanceof KommoApiError && error.kind === 'not_found') {
        throw new UndeliverableError('lead_not_found', `lead ${row.leadId} no longer exists`);
      }
      throw error;
    }
  }

  private async continueBot(client: KommoClient, row: AiRequestRow, widget: WidgetRequestParams) {
    const ok = row.answer !== null;
    const reply = row.answer ?? '';
    await this.continueWith(client, row, widget, {
      reply,
      intent: intentOf(reply),
      status: ok ? 'ok' : 'error',
      log: row.logLine ?? '',
    });
  }

  private async continueWith(
    client: KommoClient,
    row: AiRequestRow,
    widget: WidgetRequestParams,
    data: { reply: string; intent: string; status: string; log: string },
  ) {
    // Only an answer goes on to next_step directly; the branch there reads the status.
    const step =
      data.status === 'error'
        ? (widget.data.error_step ?? widget.data.next_step)
        : widget.data.next_step;
    try {
      await client.continueSalesbot(widget.continuePath, {
        data,
        execute_handlers: [{ handler: 'goto', params: { type: 'question', step: Number(step) } }],
      });
    } catch (error) {
      // Kommo forgets a continue once used: after a crash that means our first call landed.
      if (error instanceof KommoApiError && error.kind === 'not_found') {
        if (row.attempts > 1) return;
        throw new UndeliverableError(
          'continue_expired',
          'the salesbot stopped waiting (continue expired)',
        );
      }
      throw error;
    }
  }

  private async fieldIds(installationId: string): Promise<Record<LeadFieldKey, number>> {
    const fields = await this.fields.activeFields(installationId);
    const ids = Object.fromEntries(fields.map((field) => [field.key, field.kommoFieldId]));
    for (const key of ['ANSWER', 'LOG', 'ANSWER_RECEIVED', 'ON_OFF'] as const) {
      if (ids[key] === undefined) {
        throw new UndeliverableError(
          'fields_missing',
          `the ${key} field is missing; re-provision the fields in the widget`,
        );
      }
    }
    return ids as Record<LeadFieldKey, number>;
  }
}

/**
 * One field of a PATCH. Kommo ignores an empty string and clears only on `values: null`
 * (docs/kommo-contract.md, clearing a field), so "empty" is always sent as null.
 */
export function fieldWrite(fieldId: number, value: string): KommoLeadFieldInput {
  return { field_id: fieldId, values: value === '' ? null : [{ value }] };
}

function alreadyWritten(
  lead: KommoLead,
  ids: Record<LeadFieldKey, number>,
  values: Partial<Record<LeadFieldKey, string>>,
): boolean {
  return Object.entries(values).every(
    ([key, value]) => fieldText(lead, ids[key as LeadFieldKey]) === value,
  );
}

/** The first `#Word` of an answer: what the intent prompt asks ChatGPT to reply with. */
export function intentOf(answer: string): string {
  return /#[\p{L}\p{N}_]+/u.exec(answer)?.[0] ?? '';
}
