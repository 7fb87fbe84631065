import { type AxiosError } from 'axios';

/** The host has no DNS entry, or nothing listens on it: an account address that went away. */
const GONE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED']);
const NAMES_ACCOUNT = /\baccount\b/i;

/**
 * Whether a failed call looks like "this account host no longer exists" rather than "this entity
 * does not exist" (docs/kommo-contract.md §2.6): a DNS or connection failure, or a 404 that is
 * not an entity's 404 — a body that is not JSON (a host's page, not the API) or a problem that
 * names the account ("Account not found"). A missing lead is a 204 or a 404 naming the lead, so
 * it never matches. A false match only costs one lookup, which then finds the host unchanged.
 */
export function looksLikeAccountGone(error: AxiosError): boolean {
  const response = error.response;
  if (!response) return GONE_CODES.has(error.code ?? '');
  if (response.status !== 404) return false;
  const data: unknown = response.data;
  if (typeof data === 'string') {
    try {
      return !isRecord(JSON.parse(data));
    } catch {
      return true;
    }
  }
  if (!isRecord(data)) return true;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return NAMES_ACCOUNT.test(`${text(data.detail)} ${text(data.title)}`);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
