import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FieldsModule } from '../fields/fields.module';
import { InstallationModule } from '../installations/installation.module';
import { BotEchoes } from './bot-echoes';
import { ChatEventIntake } from './chat-event-intake';
import { EventsSubscription } from './events-subscription';
import { HandoffSetting } from './handoff-setting.entity';
import { HandoffSettingsRepository } from './handoff-settings.repository';
import { HandoffSettingsService } from './handoff-settings.service';
import { LeadOwnership } from './lead-ownership';
import { LeadPause } from './lead-pause.entity';
import { LeadPauses } from './lead-pauses.service';
import { LeadPausesRepository } from './lead-pauses.repository';
import { OnOffRelease } from './on-off-release';
import { PauseButtons } from './pause-buttons';

/**
 * "Never talk over a person" (issue 22): the account webhook that reports the team's messages,
 * the pause per lead, and the account's silence time. The AI pipeline asks it before it calls a
 * provider and before it delivers.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([HandoffSetting, LeadPause]),
    InstallationModule,
    FieldsModule,
  ],
  providers: [
    HandoffSettingsRepository,
    LeadPausesRepository,
    HandoffSettingsService,
    LeadPauses,
    BotEchoes,
    ChatEventIntake,
    EventsSubscription,
    OnOffRelease,
    LeadOwnership,
    PauseButtons,
  ],
  exports: [
    HandoffSettingsService,
    LeadPauses,
    LeadPausesRepository,
    HandoffSettingsRepository,
    BotEchoes,
    ChatEventIntake,
    EventsSubscription,
    OnOffRelease,
    LeadOwnership,
    PauseButtons,
  ],
})
export class HandoffModule {}
