// Every TypeORM entity of the API, one per table. The app loads them through each module's
// TypeOrmModule.forFeature; this list is for whatever needs them all at once (the schema-drift
// test compares each with the migrated database). A new entity belongs here too.
import { InstallationField } from './domain/fields/installation-field.entity';
import { HandoffSetting } from './domain/handoff/handoff-setting.entity';
import { LeadPause } from './domain/handoff/lead-pause.entity';
import { Installation } from './domain/installations/installation.entity';
import { WebhookToken } from './domain/installations/webhook-token.entity';
import { PlanRow } from './domain/plans/plan.entity';
import { QuotaWarning } from './domain/plans/quota-warning.entity';
import { UsageDaily } from './domain/plans/usage-daily.entity';
import { AiRequest } from './domain/requests/ai-request.entity';
import { LeadConversation } from './domain/requests/lead-conversation.entity';
import { ProviderSettings } from './domain/requests/provider-settings.entity';
import { AdminSession } from './domain/staff/admin-session.entity';
import { AdminUser } from './domain/staff/admin-user.entity';
import { AuditLogRow } from './domain/staff/audit-log.entity';

export const ENTITIES = [
  Installation,
  InstallationField,
  WebhookToken,
  ProviderSettings,
  AiRequest,
  LeadConversation,
  PlanRow,
  UsageDaily,
  QuotaWarning,
  AdminUser,
  AdminSession,
  AuditLogRow,
  HandoffSetting,
  LeadPause,
];
