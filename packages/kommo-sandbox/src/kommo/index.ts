// The Kommo core's public surface for the other sandbox parts (salesbot engine, widget host, AI fakes).
export { KommoStore, type CreateAccountInput, type KommoSnapshot } from './store.js';
export { AccountData, type CreateFieldInput, type CreateLeadInput } from './account-data.js';
export { KommoStoreError, type StoreErrorCode } from './errors.js';
export {
  normalizeFieldValues,
  type FieldValueInput,
  type FieldValueIssue,
} from './field-values.js';
export {
  OAuthGrants,
  type TokenPair,
  type OAuthFailure,
  type AccessCheck,
} from './oauth-grants.js';
export {
  RequestLog,
  matchPath,
  type RequestLogEntry,
  type RequestLogFilter,
  type RequestCounters,
} from './request-log.js';
export { RateLimiter, type RateDecision } from './rate-limiter.js';
export { FaultInjector, type Fault, type FaultSpec } from './faults.js';
export {
  createApiGuard,
  registerAccountRoute,
  type AccountRoute,
  type GuardOptions,
} from './api-guard.js';
export { kommoRequest, setRequestKind, type KommoRequestState } from './request-state.js';
export {
  accountBaseUrl,
  normalisedPath,
  requestBaseUrl,
  resolveAccount,
  ACCOUNT_PARAM,
} from './addressing.js';
export {
  problem,
  sendProblem,
  sendValidation,
  sendHal,
  sendEmpty,
  sendUnauthorized,
  oauthProblem,
  type Problem,
  type ValidationError,
  type ValidationGroup,
} from './problems.js';
export { renderLead } from './render.js';
export { installKommoApiPlumbing } from './api-plumbing.js';
export { callOutbound, type OutboundResult } from './outbound.js';
export * from './types.js';
