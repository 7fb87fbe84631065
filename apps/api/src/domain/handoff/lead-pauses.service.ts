import { type AdminLeadPause, type LeadAiState, type LeadPauseView } from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { HandoffSettingsRepository } from './handoff-settings.repository';
import { type LeadPause } from './lead-pause.entity';
import { LeadPausesRepository } from './lead-pauses.repository';

export const isActive = (pause: LeadPause, at: Date): boolean =>
  pause.endedAt === null && (pause.resumesAt === null || pause.resumesAt > at);

export function pauseView(pause: LeadPause): LeadPauseView {
  return {
    source: pause.source,
    userId: pause.userId,
    userName: pause.userName,
    since: pause.since.toISOString(),
    lastHumanAt: pause.lastHumanAt.toISOString(),
    resumesAt: pause.resumesAt?.toISOString() ?? null,
  };
}

/** Who pressed a button: a Kommo user (widget), or support (admin panel, no Kommo user). */
export type PausedBy = { userId: number | null; userName: string | null };

/**
 * The AI's pause per lead (issue 22 point 2): started by a person's message (EventIntake) or a
 * button, over after the account's silence time or at once by the resume button. Times come from
 * Clock, so tests move them.
 */
@Injectable()
export class LeadPauses {
  constructor(
    private readonly pauses: LeadPausesRepository,
    private readonly settings: HandoffSettingsRepository,
    private readonly clock: Clock,
  ) {}

  /** The lead's running pause, or null when the AI may answer it. */
  async activeFor(installationId: string, leadId: number): Promise<LeadPause | null> {
    const pause = await this.pauses.find(installationId, leadId);
    return pause && isActive(pause, this.clock.now()) ? pause : null;
  }

  async state(installationId: string, leadId: number): Promise<LeadAiState> {
    const [pause, silenceMinutes] = await Promise.all([
      this.activeFor(installationId, leadId),
      this.settings.silenceMinutes(installationId),
    ]);
    return {
      leadId,
      state: pause ? 'paused' : 'active',
      pause: pause && pauseView(pause),
      silenceMinutes,
    };
  }

  /** A person wrote in the lead's chat: the AI stays silent for the account's silence time. */
  async personWrote(input: {
    installationId: string;
    leadId: number;
    userId: number | null;
    userName: string | null;
    line: string;
    silenceMinutes: number;
  }): Promise<LeadPause> {
    return this.pauses.recordHuman({ ...input, at: this.clock.now() });
  }

  /** The pause button: `minutes` from now, or until resumed by hand. */
  async pauseByHand(
    installationId: string,
    leadId: number,
    source: 'widget_button' | 'admin_panel',
    by: PausedBy,
    minutes?: number,
  ): Promise<LeadAiState> {
    const at = this.clock.now();
    await this.pauses.pauseByHand({
      installationId,
      leadId,
      source,
      ...by,
      at,
      resumesAt: minutes === undefined ? null : new Date(at.getTime() + minutes * 60_000),
    });
    return this.state(installationId, leadId);
  }

  /** Ends the pause now; the caller clears ON_OFF when `onOffSet` says the template needs it. */
  async end(installationId: string, leadId: number): Promise<LeadPause | undefined> {
    return this.pauses.end(installationId, leadId, this.clock.now());
  }

  find(installationId: string, leadId: number): Promise<LeadPause | undefined> {
    return this.pauses.find(installationId, leadId);
  }

  /** Classic delivery of a silent request wrote ON_OFF: the end of the pause must clear it. */
  markOnOffSet(installationId: string, leadId: number): Promise<void> {
    return this.pauses.markOnOffSet(installationId, leadId);
  }

  /** What people wrote, for the first answer once the pause is over (null while it runs). */
  async pendingHandback(installationId: string, leadId: number): Promise<string | null> {
    const pause = await this.pauses.find(installationId, leadId);
    if (!pause?.handback || isActive(pause, this.clock.now())) return null;
    return pause.handback;
  }

  /** An answer carried `handback` to the provider: it is not sent again. */
  async handbackCarried(installationId: string, leadId: number, handback: string): Promise<void> {
    await this.pauses.dropHandback(installationId, leadId, handback);
  }

  async activeOf(installationId: string): Promise<AdminLeadPause[]> {
    const rows = await this.pauses.activeOf(installationId, this.clock.now());
    return rows.map((row) => ({ leadId: row.leadId, ...pauseView(row) }));
  }
}
