import { ModuleError, type ErrorTable } from '../../common/errors/app-error';

/** What the pause routes refuse. */
export const HANDOFF_ERRORS = {
  /** Kommo has no such lead in the caller's account (or it is another account's). */
  lead_not_found: 'not_found',
  /** The account's Kommo token cannot read leads now (uninstalled, refused): nothing to check with. */
  lead_unverifiable: 'unavailable',
} as const satisfies ErrorTable<string>;

export type HandoffErrorCode = keyof typeof HANDOFF_ERRORS;

export class HandoffError extends ModuleError<HandoffErrorCode> {
  constructor(code: HandoffErrorCode, message: string) {
    super(HANDOFF_ERRORS, code, message);
  }
}
