/** An IANA time zone PostgreSQL and Intl both understand, or UTC for anything else. */
export function accountTimeZone(zone: string | undefined, fallback = 'UTC'): string {
  if (!zone || !/^[A-Za-z0-9_+\-/]{1,64}$/.test(zone)) return fallback;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return fallback;
  }
}
