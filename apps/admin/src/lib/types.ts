// The admin API's answers, under the names the panel uses; the contracts live in packages/shared.
import { type UsageSummary } from '@gpt-bridge/shared';

export type {
  AccountDetail,
  AccountListItem as Account,
  AdminPlan as Plan,
  AdminRequestView as RequestView,
  AdminRoleName as Role,
  AdminUserView as AdminUser,
  AuditEntry,
  LeadEraseResult,
  QueueHealth,
} from '@gpt-bridge/shared';

export type UsageDay = UsageSummary['byDay'][number];
