import {
  type HandoffSettingsInput,
  HandoffSettingsInputSchema,
  type HandoffSettingsView,
  type LeadAiState,
  type LeadPauseInput,
  LeadPauseInputSchema,
} from '@gpt-bridge/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ZodPipe } from '../../common/http/zod-validation.pipe';
import { HandoffSettingsService } from '../../domain/handoff/handoff-settings.service';
import { PauseButtons } from '../../domain/handoff/pause-buttons';
import { WidgetAdmin } from '../widget-auth/widget-admin.decorator';
import { WidgetAuthGuard } from '../widget-auth/widget-auth.guard';
import { WidgetSession } from '../widget-auth/widget-session.decorator';
import { type WidgetSessionData } from '../widget-auth/widget-session';

const LeadIdParam = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a positive whole number')
  .transform(Number)
  .pipe(z.number().min(1, 'must be a positive whole number'));

// A pause without a body (or with `{}`) lasts until resumed by hand.
const PauseBody = LeadPauseInputSchema.strict().optional().default({});

/**
 * The lead card's AI state with pause and resume (packages/shared lead-card.ts), and the account's
 * silence time. Every lead is checked against the token's account in Kommo first (PauseButtons).
 */
@Controller('widget-api')
@UseGuards(WidgetAuthGuard)
export class WidgetLeadsController {
  constructor(
    private readonly buttons: PauseButtons,
    private readonly settings: HandoffSettingsService,
  ) {}

  @Get('leads/:leadId/ai-state')
  aiState(
    @WidgetSession() { installation }: WidgetSessionData,
    @Param('leadId', new ZodPipe(LeadIdParam)) leadId: number,
  ): Promise<LeadAiState> {
    return this.buttons.state(installation, leadId);
  }

  /** Any user of the account may pause: the person answering the lead is seldom an admin. */
  @Post('leads/:leadId/pause')
  @HttpCode(200)
  pause(
    @WidgetSession() { installation, claims }: WidgetSessionData,
    @Param('leadId', new ZodPipe(LeadIdParam)) leadId: number,
    @Body(new ZodPipe(PauseBody)) input: LeadPauseInput,
  ): Promise<LeadAiState> {
    const by = { userId: claims.userId, userName: null };
    return this.buttons.pause(installation, leadId, by, input.minutes);
  }

  @Post('leads/:leadId/resume')
  @HttpCode(200)
  resume(
    @WidgetSession() { installation }: WidgetSessionData,
    @Param('leadId', new ZodPipe(LeadIdParam)) leadId: number,
  ): Promise<LeadAiState> {
    return this.buttons.resume(installation, leadId);
  }

  /** Every user sees it: the widget says why the AI cannot see the team (variant D). */
  @Get('handoff')
  handoff(@WidgetSession() { installation }: WidgetSessionData): Promise<HandoffSettingsView> {
    return this.settings.view(installation.id);
  }

  @Put('handoff')
  @WidgetAdmin('change the silence time')
  saveHandoff(
    @WidgetSession() { installation }: WidgetSessionData,
    @Body(new ZodPipe(HandoffSettingsInputSchema)) input: HandoffSettingsInput,
  ): Promise<HandoffSettingsView> {
    return this.settings.setSilence(installation.id, input.silenceMinutes);
  }
}
