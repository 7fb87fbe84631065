import { type LeadFieldKey } from '@gpt-bridge/shared';
import { ModuleError, type ErrorTable } from '../../common/errors/app-error';

/** What the template installer refuses. */
export const TEMPLATE_ERRORS = {
  installation_not_found: 'not_found',
  /** The template needs lead fields the account no longer has: re-provision them first. */
  fields_missing: 'conflict',
} as const satisfies ErrorTable<string>;

export type TemplateErrorCode = keyof typeof TEMPLATE_ERRORS;

export class TemplateError extends ModuleError<TemplateErrorCode> {
  constructor(code: TemplateErrorCode, message: string) {
    super(TEMPLATE_ERRORS, code, message);
  }
}

/** `fields_missing`, with the fields the template needs and the account lacks. */
export class TemplateFieldsMissing extends TemplateError {
  constructor(
    readonly missingFields: LeadFieldKey[],
    message: string,
  ) {
    super('fields_missing', message);
  }
}
