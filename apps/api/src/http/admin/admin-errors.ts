import { ModuleError, type ErrorTable } from '../../common/errors/app-error';

/** What the admin API refuses beyond its modules' own errors (plans, staff, requests). */
export const ADMIN_ERRORS = {
  request_not_found: 'not_found',
  account_not_found: 'not_found',
  /** Only a failed request with a lead and its texts can be replayed. */
  not_replayable: 'conflict',
  /** The row changed between reading and writing it: reload. */
  changed_meanwhile: 'conflict',
  /** The account holds no Kommo tokens: it must install again. */
  no_tokens: 'conflict',
  /** Kommo refused the token refresh or did not answer. */
  kommo_failed: 'upstream_failed',
} as const satisfies ErrorTable<string>;

export type AdminErrorCode = keyof typeof ADMIN_ERRORS;

export class AdminError extends ModuleError<AdminErrorCode> {
  constructor(code: AdminErrorCode, message: string) {
    super(ADMIN_ERRORS, code, message);
  }
}
