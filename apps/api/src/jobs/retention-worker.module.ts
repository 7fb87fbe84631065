import { Module } from '@nestjs/common';
import { RetentionJob } from './retention-job';
import { RetentionModule } from '../domain/requests/retention/retention.module';

/** The worker side: the periodic retention pass. */
@Module({ imports: [RetentionModule], providers: [RetentionJob], exports: [RetentionJob] })
export class RetentionWorkerModule {}
