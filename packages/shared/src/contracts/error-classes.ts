/**
 * The codes a failed request keeps in `ai_requests.error_class`: the admin panel lists them, the
 * widget's test console shows them, and the API writes only these (its producers are typed with
 * `StoredErrorClass`). One list per producer, so a reader finds where each comes from.
 */

/** A provider call failed (the API's ProviderError). */
export const PROVIDER_ERROR_CLASSES = [
  'auth', // 401/403: key wrong, revoked, no permission
  'billing', // quota or credits exhausted: retrying cannot help
  'rate_limit', // 429 that is about pace: retry after a wait
  'not_found', // model, agent or app missing
  'bad_request', // 400/422: our request or the account's settings are refused
  'config', // we refused before calling (e.g. a pasted asst_... id, no key saved)
  'server', // 5xx, 408, 409
  'network', // connection refused/reset, DNS
  'timeout',
  'empty_answer', // 200 without text (e.g. reasoning ate the token cap)
  'blocked_url', // the outbound guard refused the address
] as const;

/** A Kommo call refused for good: `kommo_` and the API's KommoApiError kind. */
export const KOMMO_ERROR_CLASSES = [
  'kommo_auth',
  'kommo_rate_limit',
  'kommo_not_found',
  'kommo_validation',
  'kommo_server',
  'kommo_network',
  'kommo_payment',
  'kommo_forbidden',
  'kommo_blocked', // Kommo kept the account blocked past the salesbot's patience
] as const;

/** The answer could not be written into Kommo. */
export const DELIVERY_ERROR_CLASSES = [
  'lead_not_found',
  'continue_expired',
  'fields_missing',
] as const;

/** The worker ended the request without (or before) asking a provider. */
export const PIPELINE_ERROR_CLASSES = [
  'installation_inactive',
  'gave_up',
  'quota',
  'cost_cap', // the month's estimated cost reached the owner's cap
  'empty_prompt',
  'erased', // a lead erase removed it while it waited
  'paused_by_person', // a person of the team is talking to the customer: not sent to the provider
  'superseded_by_human', // answered, but a person wrote meanwhile: kept, not delivered
] as const;

/** The webhook refused the call; it is stored for the account when its URL token was valid. */
export const INTAKE_ERROR_CLASSES = [
  'no_lead_id',
  'no_token',
  'bad_token',
  'not_configured',
  'bad_return_url',
  'no_next_step',
  'token_reused',
  'body_too_large',
  'bad_body',
  'bad_model',
  'bad_tokens',
] as const;

export type ProviderErrorClass = (typeof PROVIDER_ERROR_CLASSES)[number];
export type KommoErrorClass = (typeof KOMMO_ERROR_CLASSES)[number];
export type DeliveryErrorClass = (typeof DELIVERY_ERROR_CLASSES)[number];
export type PipelineErrorClass = (typeof PIPELINE_ERROR_CLASSES)[number];
export type IntakeErrorClass = (typeof INTAKE_ERROR_CLASSES)[number];

export const STORED_ERROR_CLASSES = [
  ...PROVIDER_ERROR_CLASSES,
  ...KOMMO_ERROR_CLASSES,
  ...DELIVERY_ERROR_CLASSES,
  ...PIPELINE_ERROR_CLASSES,
  ...INTAKE_ERROR_CLASSES,
] as const;

/** Every value `ai_requests.error_class` may hold (besides NULL). */
export type StoredErrorClass = (typeof STORED_ERROR_CLASSES)[number];

const STORED: ReadonlySet<string> = new Set(STORED_ERROR_CLASSES);

export function isStoredErrorClass(value: unknown): value is StoredErrorClass {
  return typeof value === 'string' && STORED.has(value);
}
