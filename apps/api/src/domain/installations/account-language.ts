const SUPPORTED = new Set(['en', 'pt', 'es']);

/** Our languages (en, pt, es); anything else keeps `fallback` (field names fall back to English). */
export function accountLanguage(language: string | undefined, fallback = 'en'): string {
  return language && SUPPORTED.has(language) ? language : fallback;
}
