import { CreateInstallations1763900000000 } from './1763900000000-CreateInstallations';
import { InstallationTokensAndFields1764000000000 } from './1764000000000-InstallationTokensAndFields';
import { WebhooksAndAiRequests1764100000000 } from './1764100000000-WebhooksAndAiRequests';
import { PlansAndQuotas1764200000000 } from './1764200000000-PlansAndQuotas';
import { IntakeFunction1764300000000 } from './1764300000000-IntakeFunction';
import { AdminUsersAndAudit1764400000000 } from './1764400000000-AdminUsersAndAudit';
import { IndexReplayOf1764500000000 } from './1764500000000-IndexReplayOf';
import { DedupeOnlyWhileQueued1764600000000 } from './1764600000000-DedupeOnlyWhileQueued';
import { ProviderAsks1764710000000 } from './1764710000000-ProviderAsks';
import { TokenUserRights1764740000000 } from './1764740000000-TokenUserRights';
import { Retention1764800000000 } from './1764800000000-Retention';
import { RetentionIndexes1764800000001 } from './1764800000001-RetentionIndexes';
import { RecoveredAnswers1764810000000 } from './1764810000000-RecoveredAnswers';
import { SetBasedIntake1764850000000 } from './1764850000000-SetBasedIntake';
import { IntakeBesideItsCaller1764850000001 } from './1764850000001-IntakeBesideItsCaller';
import { AdminListIndexes1764850000002 } from './1764850000002-AdminListIndexes';
import { HumanHandoff1764900000000 } from './1764900000000-HumanHandoff';
import { ExtractionProfiles1764920000000 } from './1764920000000-ExtractionProfiles';
import { LeadTraceAndCost1764930000000 } from './1764930000000-LeadTraceAndCost';
import { LeadTraceIndex1764930000001 } from './1764930000001-LeadTraceIndex';
import { DeliveryKeyIndex1764940000000 } from './1764940000000-DeliveryKeyIndex';

/** Every migration in order; listed (not globbed) so vitest on src and node on dist load the same. */
export const MIGRATIONS = [
  CreateInstallations1763900000000,
  InstallationTokensAndFields1764000000000,
  WebhooksAndAiRequests1764100000000,
  PlansAndQuotas1764200000000,
  IntakeFunction1764300000000,
  AdminUsersAndAudit1764400000000,
  IndexReplayOf1764500000000,
  DedupeOnlyWhileQueued1764600000000,
  ProviderAsks1764710000000,
  TokenUserRights1764740000000,
  Retention1764800000000,
  RetentionIndexes1764800000001,
  RecoveredAnswers1764810000000,
  SetBasedIntake1764850000000,
  IntakeBesideItsCaller1764850000001,
  AdminListIndexes1764850000002,
  HumanHandoff1764900000000,
  ExtractionProfiles1764920000000,
  LeadTraceAndCost1764930000000,
  LeadTraceIndex1764930000001,
  DeliveryKeyIndex1764940000000,
];
