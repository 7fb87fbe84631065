/** The lead custom fields the salesbot template reads and writes (see docs/product.md §1). */
export const LEAD_FIELD_KEYS = [
  'MESSAGE',
  'PROMPT',
  'ANSWER',
  'ANSWER_RECEIVED',
  'LOG',
  'ON_OFF',
] as const;

export type LeadFieldKey = (typeof LEAD_FIELD_KEYS)[number];

/** Kommo field type per key: long values need `textarea`, Kommo rejects `text` over 256 characters. */
export const LEAD_FIELD_TYPES: Record<LeadFieldKey, 'text' | 'textarea'> = {
  MESSAGE: 'textarea',
  PROMPT: 'textarea',
  ANSWER: 'textarea',
  ANSWER_RECEIVED: 'text',
  LOG: 'textarea',
  ON_OFF: 'text',
};

/** What the worker writes into ANSWER_RECEIVED once an answer (or an error) is ready. */
export const ANSWER_RECEIVED_FULL = 'Full';

export type FieldLanguage = 'en' | 'pt' | 'es';

/** Stable Kommo field `code` per key: how we find our fields again after a reinstall. */
export function leadFieldCode(key: LeadFieldKey): string {
  return `GPT_BRIDGE_${key}`;
}

const LEAD_FIELD_LABELS: Record<FieldLanguage, Record<LeadFieldKey, string>> = {
  en: {
    MESSAGE: 'Message',
    PROMPT: 'Prompt',
    ANSWER: 'Answer',
    ANSWER_RECEIVED: 'Answer received',
    LOG: 'Log',
    ON_OFF: 'On/Off',
  },
  pt: {
    MESSAGE: 'Mensagem',
    PROMPT: 'Prompt',
    ANSWER: 'Resposta',
    ANSWER_RECEIVED: 'Resposta recebida',
    LOG: 'Log',
    ON_OFF: 'Liga/Desliga',
  },
  es: {
    MESSAGE: 'Mensaje',
    PROMPT: 'Prompt',
    ANSWER: 'Respuesta',
    ANSWER_RECEIVED: 'Respuesta recibida',
    LOG: 'Registro',
    ON_OFF: 'Encendido/Apagado',
  },
};

/** `GPT Bridge | <name>` in the account's language (English for any other language). */
export function leadFieldName(key: LeadFieldKey, language: string): string {
  const labels = LEAD_FIELD_LABELS[language as FieldLanguage] ?? LEAD_FIELD_LABELS.en;
  return `GPT Bridge | ${labels[key]}`;
}
