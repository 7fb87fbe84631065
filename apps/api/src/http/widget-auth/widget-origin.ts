// A Kommo (or amoCRM) account page: https, exactly one DNS label before the platform's domain,
// no port and no path, so `https://acme.kommo.com.evil.example` and `http://…` do not match.
const ACCOUNT_PAGE_ORIGIN =
  /^https:\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.(?:kommo\.com|amocrm\.ru|amocrm\.com)$/;

/**
 * Whether a browser `Origin` may call the widget API: an account page, or one of the exact extra
 * origins (WIDGET_EXTRA_ORIGINS, e.g. the sandbox's widget host). The origin is only a browser
 * fence; X-Auth-Token is what authenticates.
 */
export function isWidgetOrigin(
  origin: string | undefined,
  extraOrigins: readonly string[] = [],
): boolean {
  if (!origin) return false;
  return ACCOUNT_PAGE_ORIGIN.test(origin) || extraOrigins.includes(origin);
}
