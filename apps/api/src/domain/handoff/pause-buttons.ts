import { type LeadAiState } from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { type Installation } from '../installations/installation.entity';
import { LeadOwnership } from './lead-ownership';
import { LeadPauses, type PausedBy } from './lead-pauses.service';
import { OnOffRelease } from './on-off-release';

/** The lead card's state and its pause and resume buttons, for the caller's own account only. */
@Injectable()
export class PauseButtons {
  constructor(
    private readonly ownership: LeadOwnership,
    private readonly pauses: LeadPauses,
    private readonly release: OnOffRelease,
  ) {}

  async state(installation: Installation, leadId: number): Promise<LeadAiState> {
    await this.ownership.assert(installation, leadId);
    return this.pauses.state(installation.id, leadId);
  }

  async pause(
    installation: Installation,
    leadId: number,
    by: PausedBy,
    minutes?: number,
  ): Promise<LeadAiState> {
    await this.ownership.assert(installation, leadId);
    return this.pauses.pauseByHand(installation.id, leadId, 'widget_button', by, minutes);
  }

  /** At once: the classic template's ON_OFF is emptied now, not by the next release pass. */
  async resume(installation: Installation, leadId: number): Promise<LeadAiState> {
    await this.ownership.assert(installation, leadId);
    await this.pauses.end(installation.id, leadId);
    const pause = await this.pauses.find(installation.id, leadId);
    if (pause?.onOffSet) await this.release.release(installation.id, leadId);
    return this.pauses.state(installation.id, leadId);
  }
}
