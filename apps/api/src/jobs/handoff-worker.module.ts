import { Module } from '@nestjs/common';
import { HandoffModule } from '../domain/handoff/handoff.module';
import { OnOffReleaseTimer } from './on-off-release.timer';

/** The worker side of "never talk over a person": the end of classic pauses in Kommo. */
@Module({ imports: [HandoffModule], providers: [OnOffReleaseTimer] })
export class HandoffWorkerModule {}
