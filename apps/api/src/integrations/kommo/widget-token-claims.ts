// How loosely-typed claims of Kommo's widget token are read (docs/kommo-contract.md, widget token):
// Kommo documents `account_id`/`user_id` as int and no `is_admin` at all; the official PHP SDK
// casts them (`(int)`, `(bool)`), so tokens with ids as strings or `is_admin` as 1/"1" exist.

/** A positive integer id, given as a JSON number or as a string of decimal digits. */
export function parseIdClaim(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value > 0 ? value : null;
  }
  if (typeof value === 'string' && /^[1-9][0-9]{0,15}$/.test(value)) {
    const id = Number(value);
    return Number.isSafeInteger(id) ? id : null;
  }
  return null;
}

const ADMIN_TRUE = new Set(['1', 'true']);
const ADMIN_FALSE = new Set(['0', 'false', '']);

/**
 * `is_admin` as bool, 1/0 or "1"/"0"/"true"/"false". `null` means the token does not say (absent,
 * null or an odd value): the caller must ask Kommo's users API instead of guessing.
 */
export function parseAdminClaim(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (ADMIN_TRUE.has(text)) return true;
    if (ADMIN_FALSE.has(text)) return false;
  }
  return null;
}
