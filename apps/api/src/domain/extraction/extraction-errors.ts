import { ModuleError, type ErrorTable } from '../../common/errors/app-error';

/** What the extraction profiles' editor refuses. */
export const EXTRACTION_ERRORS = {
  profile_not_found: 'not_found',
  /** A field, stage or user the profile names does not exist in the account's Kommo. */
  invalid_profile: 'invalid_input',
  too_many_profiles: 'conflict',
  /** Kommo did not answer the reads the editor needs. */
  kommo_unavailable: 'upstream_failed',
} as const satisfies ErrorTable<string>;

export type ExtractionErrorCode = keyof typeof EXTRACTION_ERRORS;

export class ExtractionError extends ModuleError<ExtractionErrorCode> {
  constructor(code: ExtractionErrorCode, message: string, problems?: string[]) {
    super(EXTRACTION_ERRORS, code, message, problems ? { problems } : undefined);
  }
}
