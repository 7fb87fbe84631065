import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { QueuesModule } from '../../queues/queues.module';
import { FieldsModule } from '../fields/fields.module';
import { HandoffModule } from '../handoff/handoff.module';
import { InstallationModule } from '../installations/installation.module';
import { OutboundModule } from '../../integrations/outbound/outbound.module';
import { PlansModule } from '../plans/plans.module';
import { AiJobs } from './ai-jobs';
import { AiPipeline } from './ai-pipeline.service';
import { AnswerWriter } from './delivery/answer-writer';
import { AskProvider } from './ask-provider';
import { AiRequest } from './ai-request.entity';
import { ConversationsRepository } from './conversations.repository';
import { LeadConversation } from './lead-conversation.entity';
import { IntakeSweeper } from './intake-sweeper';
import { LeadAnswers } from './lead-answers';
import { LeadDrain } from './lead-drain';
import { LeadLocksRepository } from './lead-locks.repository';
import { MediaPreparer } from './media/media-preparer';
import { ProviderRegistry } from '../../integrations/ai-providers/provider-registry';
import { ProviderSettings } from './provider-settings.entity';
import { ProviderSettingsRepository } from './provider-settings.repository';
import { ProviderSettingsService } from './provider-settings.service';
import { QuotaCheck } from './quota-check';
import { RequestLogRepository } from './request-log.repository';
import { RequestOutcomesRepository } from './request-outcomes.repository';
import { RequestQuotaRepository } from './request-quota.repository';
import { RequestsRepository } from './requests.repository';
import { TestConsole } from './test-console';
import { LeadTraceRepository } from './trace/lead-trace.repository';
import { LeadTrace } from './trace/lead-trace.service';

/** Requests, providers and answers; the worker runs the pipeline, the API stores and reads. */
@Module({
  imports: [
    TypeOrmModule.forFeature([AiRequest, LeadConversation, ProviderSettings]),
    InstallationModule,
    QueuesModule,
    OutboundModule,
    FieldsModule,
    PlansModule,
    HandoffModule,
  ],
  providers: [
    RequestsRepository,
    RequestOutcomesRepository,
    RequestQuotaRepository,
    RequestLogRepository,
    LeadLocksRepository,
    QuotaCheck,
    AiJobs,
    ProviderSettingsRepository,
    ProviderSettingsService,
    ConversationsRepository,
    ProviderRegistry,
    MediaPreparer,
    AnswerWriter,
    AskProvider,
    TestConsole,
    AiPipeline,
    LeadDrain,
    LeadAnswers,
    IntakeSweeper,
    LeadTraceRepository,
    LeadTrace,
  ],
  exports: [
    RequestsRepository,
    RequestLogRepository,
    AiJobs,
    ProviderSettingsService,
    TestConsole,
    AiPipeline,
    LeadDrain,
    LeadAnswers,
    IntakeSweeper,
    LeadTrace,
  ],
})
export class AiModule {}
