/** The lead custom fields the salesbot template reads and writes (see docs/product.md). */
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
