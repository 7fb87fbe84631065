// Every module's error codes and the HTTP status each is answered with: the statuses the Nest
// exceptions these codes replaced had (and the integration tests assert). A root file: it reads
// every module's table, which no module may import.
import { describe, expect, it } from 'vitest';
import { type ErrorTable } from './common/errors/app-error';
import { STATUS_OF_CATEGORY } from './common/http/all-exceptions.filter';
import { OverClientBudget } from './common/http/client-budget';
import { PLAN_ERRORS, type PlanErrorCode } from './domain/plans/plan-errors';
import { REQUEST_ERRORS, type RequestErrorCode } from './domain/requests/request-errors';
import { STAFF_ERRORS, type StaffErrorCode } from './domain/staff/staff-errors';
import { TEMPLATE_ERRORS, type TemplateErrorCode } from './domain/templates/template-errors';
import { ADMIN_ERRORS, type AdminErrorCode } from './http/admin/admin-errors';

const plans: Record<PlanErrorCode, number> = {
  plan_not_found: 404,
  unknown_plan: 400,
  invalid_allowance: 400,
  installation_not_found: 404,
};
const templates: Record<TemplateErrorCode, number> = {
  installation_not_found: 404,
  fields_missing: 409,
};
const staff: Record<StaffErrorCode, number> = {
  invalid_email: 400,
  invalid_role: 400,
  weak_password: 400,
  user_not_found: 404,
  wrong_credentials: 401,
  sign_in_locked: 429,
  sign_in_busy: 503,
  hash_gate_busy: 500,
};
const requests: Record<RequestErrorCode, number> = {
  invalid_settings: 400,
  lead_busy: 409,
};
const admin: Record<AdminErrorCode, number> = {
  request_not_found: 404,
  account_not_found: 404,
  not_replayable: 409,
  changed_meanwhile: 409,
  no_tokens: 409,
  kommo_failed: 502,
};

const statusesOf = (table: ErrorTable<string>) =>
  Object.fromEntries(Object.entries(table).map(([code, c]) => [code, STATUS_OF_CATEGORY[c]]));

describe('error codes → HTTP status', () => {
  it.each([
    ['plans', PLAN_ERRORS, plans],
    ['templates', TEMPLATE_ERRORS, templates],
    ['staff', STAFF_ERRORS, staff],
    ['requests', REQUEST_ERRORS, requests],
    ['admin', ADMIN_ERRORS, admin],
  ] as const)('%s', (_, table, expected) => {
    expect(statusesOf(table)).toEqual(expected);
  });

  it('over_client_budget is a 429', () => {
    const error = new OverClientBudget(3);
    expect([error.code, STATUS_OF_CATEGORY[error.category], error.retryAfterSec]).toEqual([
      'over_client_budget',
      429,
      3,
    ]);
  });
});
