import { en, type MessageKey, type Messages } from './messages-en';
import { es } from './messages-es';
import { pt } from './messages-pt';

export const LANGUAGES = ['en', 'pt', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

const CATALOGS: Record<Language, Messages> = { en, pt, es };

/** Kommo's language id (`en`, `pt`, `es`, `ru`, `pt_BR`…) → one we have; English otherwise. */
export function pickLanguage(kommoLang: unknown): Language {
  const base = typeof kommoLang === 'string' ? kommoLang.slice(0, 2).toLowerCase() : '';
  return LANGUAGES.find((lang) => lang === base) ?? 'en';
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** `{name}` placeholders are replaced; a missing value stays visible rather than vanishing. */
export function translator(lang: Language): Translate {
  const catalog = CATALOGS[lang];
  return (key, values = {}) =>
    catalog[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in values ? String(values[name]) : whole,
    );
}
