import { isStoredErrorClass, type StoredErrorClass } from '@gpt-bridge/shared';

/**
 * What each stored error class means, shown on hover next to the code. Typed by the shared
 * union: a class the API starts writing does not compile here until it is explained.
 */
export const ERROR_CLASS_HINTS: Readonly<Record<StoredErrorClass, string>> = {
  auth: 'The provider refused the API key (wrong, revoked or without permission).',
  billing: "The provider account's quota or credits are exhausted.",
  rate_limit: 'The provider asked us to slow down; retried after a wait.',
  not_found: 'The model, agent or app does not exist at the provider.',
  bad_request: "The provider refused the request or the account's settings.",
  config: 'Refused before calling: the provider settings cannot work.',
  server: 'The provider failed (5xx).',
  network: 'The provider could not be reached.',
  timeout: 'The provider did not answer in time.',
  empty_answer: 'The provider answered without text.',
  blocked_url: 'The outbound guard refused the address.',
  kommo_auth: 'Kommo refused our access token.',
  kommo_rate_limit: 'Kommo refused the call for its rate limit.',
  kommo_not_found: 'Kommo does not know the lead or field.',
  kommo_validation: 'Kommo refused the values we wrote.',
  kommo_server: 'Kommo failed (5xx).',
  kommo_network: 'Kommo could not be reached.',
  kommo_payment: "Kommo refused the call: the account's subscription.",
  kommo_forbidden: 'Kommo refused the call: missing rights.',
  kommo_blocked: "Kommo kept the account blocked past the salesbot's patience.",
  lead_not_found: 'The lead no longer exists in Kommo.',
  continue_expired: 'The salesbot stopped waiting before the answer came.',
  fields_missing: 'A GPT Bridge lead field is missing: re-provision the fields.',
  installation_inactive: 'The account was not active when the request was handled.',
  gave_up: 'No success after every attempt.',
  quota: "The account's plan or the lead's daily cap refused the request.",
  cost_cap: "The month's estimated AI cost reached the cap the account's owner set.",
  empty_prompt: 'The PROMPT field was empty.',
  erased: 'A lead erase removed the request while it waited.',
  paused_by_person: 'A team member was talking to the customer: the AI stayed silent.',
  superseded_by_human:
    'A team member wrote while the AI was answering: the answer was kept, not sent.',
  no_lead_id: 'The webhook call named no lead.',
  no_token: 'The salesbot call carried no token.',
  bad_token: 'The salesbot token was invalid or expired.',
  not_configured: 'The Kommo integration is not configured on the server.',
  bad_return_url: 'The return URL is not a Kommo salesbot continue URL.',
  no_next_step: 'The block has no next step: save it again in the salesbot designer.',
  token_reused: 'The salesbot token was already used for another step.',
  body_too_large: 'The webhook body was too large.',
  bad_body: 'The webhook body could not be read.',
  bad_model: 'model= is not a model name.',
  bad_tokens: 'tokens= is not a positive whole number.',
};

/** The hint for a class read from the API; an unknown value (an older row) gets none. */
export function errorClassHint(value: string | null): string | undefined {
  return isStoredErrorClass(value) ? ERROR_CLASS_HINTS[value] : undefined;
}
