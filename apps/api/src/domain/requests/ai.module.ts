import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { QueuesModule } from '../../queues/queues.module';
import { FieldsModule } from '../fields/fields.module';
import { Installation } from '../installations/installation.entity';
import { OutboundModule } from '../../integrations/outbound/outbound.module';
import { PlansModule } from '../plans/plans.module';
import { AiJobs } from './ai-jobs';
import { AiPipeline } from './ai-pipeline.service';
import { AiRequestsStore } from './ai-requests.store';
import { AnswerWriter } from './delivery/answer-writer';
import { AskProvider } from './ask-provider';
import { ConversationStore } from './conversation-memory';
import { IntakeSweeper } from './intake-sweeper';
import { LeadAnswers } from './lead-answers';
import { LeadDrain } from './lead-drain';
import { MediaPreparer } from './media/media-preparer';
import { ProviderRegistry } from '../../integrations/ai-providers/provider-registry';
import { ProviderSettingsService } from './provider-settings.service';
import { TestConsole } from './test-console';

/** Requests, providers and answers; the worker runs the pipeline, the API stores and reads. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Installation]),
    QueuesModule,
    OutboundModule,
    FieldsModule,
    PlansModule,
  ],
  providers: [
    AiRequestsStore,
    AiJobs,
    ProviderSettingsService,
    ConversationStore,
    ProviderRegistry,
    MediaPreparer,
    AnswerWriter,
    AskProvider,
    TestConsole,
    AiPipeline,
    LeadDrain,
    LeadAnswers,
    IntakeSweeper,
  ],
  exports: [
    AiRequestsStore,
    AiJobs,
    ProviderSettingsService,
    TestConsole,
    AiPipeline,
    LeadDrain,
    LeadAnswers,
    IntakeSweeper,
  ],
})
export class AiModule {}
