import { ModuleError, type ErrorTable } from '../../common/errors/app-error';

/** What the plans module refuses (the admin panel edits plans and assignments). */
export const PLAN_ERRORS = {
  plan_not_found: 'not_found',
  /** An assignment names a plan that does not exist: the request is wrong, not the URL. */
  unknown_plan: 'invalid_input',
  invalid_allowance: 'invalid_input',
  installation_not_found: 'not_found',
} as const satisfies ErrorTable<string>;

export type PlanErrorCode = keyof typeof PLAN_ERRORS;

export class PlanError extends ModuleError<PlanErrorCode> {
  constructor(code: PlanErrorCode, message: string) {
    super(PLAN_ERRORS, code, message);
  }
}
