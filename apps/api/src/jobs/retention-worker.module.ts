import { Module } from '@nestjs/common';
import { RetentionTimer } from './retention.timer';
import { RetentionModule } from '../domain/requests/retention/retention.module';

/** The worker side: the periodic retention pass. */
@Module({ imports: [RetentionModule], providers: [RetentionTimer], exports: [RetentionTimer] })
export class RetentionWorkerModule {}
