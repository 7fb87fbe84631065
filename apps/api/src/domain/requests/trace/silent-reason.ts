import {
  DELIVERY_ERROR_CLASSES,
  INTAKE_ERROR_CLASSES,
  PROVIDER_ERROR_CLASSES,
  SILENT_REASONS,
  type AiRequestStatus,
  type SilentReason,
} from '@gpt-bridge/shared';

const PROVIDER: ReadonlySet<string> = new Set(PROVIDER_ERROR_CLASSES);
const INTAKE: ReadonlySet<string> = new Set(INTAKE_ERROR_CLASSES);
const DELIVERY: ReadonlySet<string> = new Set(DELIVERY_ERROR_CLASSES);
const REASONS: ReadonlySet<string> = new Set(SILENT_REASONS);

/**
 * Why a request produced no customer message, in the trace's words; null when it did (or may
 * still). Derived from what the row already keeps (status and error_class), so rows stored before
 * the trace existed get a reason too. An error class named like a reason (quota, cost_cap, and
 * the pause and coalescing classes of issue 22) is that reason, so those need no mapping here.
 */
export function silentReason(row: {
  status: AiRequestStatus;
  errorClass: string | null;
  answer: string | null;
}): SilentReason | null {
  if (row.status === 'duplicate') return 'duplicate';
  if (row.status === 'queued' || row.status === 'processing') return null;
  if (row.status === 'answered' && row.errorClass === null) return null;
  if (row.status === 'done' && row.errorClass === null) return null;
  const errorClass = row.errorClass;
  if (errorClass === null) return row.status === 'refused' ? 'rejected' : null;
  if (REASONS.has(errorClass)) return errorClass as SilentReason;
  if (PROVIDER.has(errorClass)) return 'provider_error';
  // Our fields gone from the lead, or the PROMPT field empty: both are fixed in the lead's fields.
  if (errorClass === 'fields_missing' || errorClass === 'empty_prompt') return 'field_missing';
  if (INTAKE.has(errorClass)) return 'rejected';
  if (DELIVERY.has(errorClass)) return 'rejected';
  // Kommo refused the write, the account was off, the row was erased or gave up: the error class
  // and message say which; none of the reasons above fits.
  return null;
}
