import { AiRequest } from './domain/requests/ai-request.entity';
import { LeadConversation } from './domain/requests/lead-conversation.entity';

/** Every TypeORM entity, one per table (the schema-drift test checks each against the schema). */
export const ENTITIES = [AiRequest, LeadConversation];
