/** Kommo account hosts we talk to; anything else in a `referer` is refused (no SSRF via referer). */
const ACCOUNT_HOST =
  /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.(kommo\.com|amocrm\.ru|amocrm\.com)$/;

export type KommoHost = { host: string; subdomain: string };

/** `acme.kommo.com` (or with a scheme, as some callers send it) → host and subdomain. */
export function parseKommoHost(value: string | undefined | null): KommoHost | null {
  if (!value) return null;
  const host = value
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '');
  const match = ACCOUNT_HOST.exec(host);
  return match?.[1] ? { host, subdomain: match[1] } : null;
}

/** Base URL of an account's API from KOMMO_API_URL_TEMPLATE (`https://{host}` in production). */
export function kommoBaseUrl(template: string, target: KommoHost): string {
  return template.replaceAll('{host}', target.host).replaceAll('{subdomain}', target.subdomain);
}
