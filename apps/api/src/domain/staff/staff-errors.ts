import { ModuleError, type ErrorTable } from '../../common/errors/app-error';

/** What the staff module (admin users, sign-in) refuses. */
export const STAFF_ERRORS = {
  invalid_email: 'invalid_input',
  invalid_role: 'invalid_input',
  weak_password: 'invalid_input',
  user_not_found: 'not_found',
  /** Unknown email or wrong password: one code, so the answer cannot tell them apart. */
  wrong_credentials: 'unauthenticated',
  /** Too many failed sign-ins for the email or from the address. */
  sign_in_locked: 'too_many_requests',
  /** Every password-hash slot is taken. */
  sign_in_busy: 'unavailable',
  /** Internal: the hash gate's wait list is full (the sign-in answers `sign_in_busy`). */
  hash_gate_busy: 'internal',
} as const satisfies ErrorTable<string>;

export type StaffErrorCode = keyof typeof STAFF_ERRORS;

export class StaffError extends ModuleError<StaffErrorCode> {
  constructor(code: StaffErrorCode, message: string, options?: { retryAfterSec?: number }) {
    super(STAFF_ERRORS, code, message, options);
  }
}
