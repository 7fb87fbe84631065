import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { KommoApiError } from '../../integrations/kommo/kommo-errors';
import { FieldsService } from '../fields/fields.service';
import { InstallationsRepository } from '../installations/installations.repository';
import { ON_OFF_VALUES } from '../templates/template-texts';
import { LeadPausesRepository } from './lead-pauses.repository';

// Leads released per pass; the next pass (30 s later) takes the rest.
const BATCH = 50;

/**
 * The classic template learns of a pause through ON_OFF (docs/kommo-contract.md §8.3: it stays
 * silent while the field is filled), so the end of a pause must empty it again, or the bot would
 * never answer that lead. Only our own value is cleared: `#Attendant` or `ERROR` were put there by
 * the template for a person to clear.
 */
@Injectable()
export class OnOffRelease {
  private readonly logger = new Logger(OnOffRelease.name);

  constructor(
    private readonly pauses: LeadPausesRepository,
    private readonly installations: InstallationsRepository,
    private readonly fields: FieldsService,
    private readonly kommo: KommoClientFactory,
    private readonly clock: Clock,
  ) {}

  /** Every pause that is over and still has its value in ON_OFF; returns how many were released. */
  async releaseDue(): Promise<number> {
    const due = await this.pauses.overWithOnOff(this.clock.now(), BATCH);
    let released = 0;
    for (const { installationId, leadId } of due) {
      try {
        await this.release(installationId, leadId);
        released += 1;
      } catch (error) {
        // Kommo down or the lead gone: the next pass tries again; one lead must not stop the rest.
        this.logger.warn({ installationId, leadId, err: (error as Error).message }, 'ON_OFF kept');
      }
    }
    return released;
  }

  /** Empties the lead's ON_OFF if it still holds the pause's value, then forgets it. */
  async release(installationId: string, leadId: number): Promise<void> {
    const installation = await this.installations.findById(installationId);
    if (installation?.status === 'active') {
      const onOff = (await this.fields.activeFields(installationId)).find(
        (f) => f.key === 'ON_OFF',
      );
      if (onOff) {
        const client = this.kommo.forInstallation({
          installationId,
          host: installation.host,
          subdomain: installation.subdomain,
        });
        try {
          const lead = await client.getLead(leadId);
          const value = lead?.custom_fields_values?.find((f) => f.field_id === onOff.kommoFieldId)
            ?.values[0]?.value;
          if (lead && value === ON_OFF_VALUES.human) {
            await client.patchLead(leadId, {
              custom_fields_values: [{ field_id: onOff.kommoFieldId, values: null }],
            });
          }
        } catch (error) {
          // A lead Kommo no longer has, or rights we lack: nothing left to release.
          if (!(error instanceof KommoApiError) || error.retryable) throw error;
          this.logger.warn({ installationId, leadId, code: error.code }, 'ON_OFF not cleared');
        }
      }
    }
    await this.pauses.clearOnOffSet(installationId, leadId, this.clock.now());
  }
}
