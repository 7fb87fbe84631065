import { Module } from '@nestjs/common';
import { HandoffModule } from '../../domain/handoff/handoff.module';

/** The API side of Kommo's account webhook; the route is registered on Fastify in create-http-app. */
@Module({ imports: [HandoffModule] })
export class ChatEventsModule {}
