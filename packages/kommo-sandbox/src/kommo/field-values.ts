import { type CustomField, type FieldValue, type KommoSettings } from './types.js';

/** One problem with a value, in Kommo's validation-error terms (path is relative to the field). */
export type FieldValueIssue = { code: string; path: string; detail: string };

export type FieldValueResult =
  { ok: true; values: FieldValue[] } | { ok: false; issue: FieldValueIssue };

/** What callers may pass: Kommo's `values` array, a bare scalar, or null/[] to clear. */
export type FieldValueInput =
  | null
  | undefined
  | string
  | number
  | boolean
  | { value?: unknown; enum_id?: unknown; enum_code?: unknown }[];

const bad = (path: string, code: string, detail: string): FieldValueResult => ({
  ok: false,
  issue: { code, path, detail },
});

const ENUM_TYPES = new Set(['select', 'multiselect', 'radiobutton']);
// RFC 3339 date-time, the string form the docs give for date fields (§9.1).
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Checks and normalises values for one field the way the API does (docs/kommo-contract.md §9.1):
 * `text` is capped at `textMaxLength` (256, §4.7), textarea much higher; numeric takes a number or
 * a numeric string; checkbox a boolean; date fields unix seconds or an RFC 3339 string; select,
 * radiobutton and multiselect an option by `enum_id`, `enum_code` or its text; `enum_id` or
 * `enum_code` on a field without options is `FieldNotExpected` (seen in real answers).
 */
export function normalizeFieldValues(
  field: CustomField,
  input: FieldValueInput,
  limits: KommoSettings['fields'],
): FieldValueResult {
  if (input === null || input === undefined) return { ok: true, values: [] };
  const items = Array.isArray(input) ? input : [{ value: input }];
  if (items.length > 1 && field.type !== 'multiselect' && field.type !== 'multitext') {
    return bad('values', 'InvalidValue', `Field ${field.id} accepts a single value`);
  }
  const values: FieldValue[] = [];
  for (const [index, raw] of items.entries()) {
    const path = `values.${index}.value`;
    if (raw === null || typeof raw !== 'object') {
      return bad(`values.${index}`, 'InvalidType', 'Value must be an object');
    }
    const result = normalizeOne(field, raw, limits, path);
    if ('issue' in result) return { ok: false, issue: result.issue };
    if (result.value) values.push(result.value);
  }
  return { ok: true, values };
}

function normalizeOne(
  field: CustomField,
  raw: { value?: unknown; enum_id?: unknown; enum_code?: unknown },
  limits: KommoSettings['fields'],
  path: string,
): { value: FieldValue | null } | { issue: FieldValueIssue } {
  const issue = (code: string, detail: string) => ({ issue: { code, path, detail } });
  const { value } = raw;
  if (!ENUM_TYPES.has(field.type)) {
    for (const key of ['enum_id', 'enum_code'] as const) {
      if (raw[key] !== undefined) {
        return {
          issue: {
            code: 'FieldNotExpected',
            path: path.replace(/\.value$/, `.${key}`),
            detail: 'This field was not expected.',
          },
        };
      }
    }
  }
  if (field.enums && ENUM_TYPES.has(field.type)) {
    const option =
      field.enums.find((e) => raw.enum_id !== undefined && e.id === Number(raw.enum_id)) ??
      field.enums.find((e) => raw.enum_code !== undefined && e.code === raw.enum_code) ??
      field.enums.find(
        (e) =>
          (typeof value === 'string' || typeof value === 'number') && e.value === String(value),
      );
    if (!option) return issue('NotSupportedChoice', `Unknown option for field ${field.id}`);
    return {
      value: {
        value: option.value,
        enum_id: option.id,
        ...(option.code ? { enum_code: option.code } : {}),
      },
    };
  }
  if (value === null || value === undefined || value === '') return { value: null };
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'url':
    case 'streetaddress':
    case 'multitext': {
      if (typeof value !== 'string' && typeof value !== 'number') {
        return issue('InvalidType', 'Value must be a string');
      }
      const text = String(value);
      const max = field.type === 'textarea' ? limits.textareaMaxLength : limits.textMaxLength;
      if (field.type !== 'url' && text.length > max) {
        return issue('TooLong', `Value is too long: ${text.length} characters, at most ${max}`);
      }
      return { value: { value: text } };
    }
    case 'numeric':
    case 'price':
    case 'monetary': {
      const number = typeof value === 'number' ? value : Number(value);
      if (typeof value === 'boolean' || !Number.isFinite(number)) {
        return issue('InvalidType', 'Value must be a number');
      }
      return { value: { value: typeof value === 'string' ? value : number } };
    }
    case 'checkbox':
      if (typeof value !== 'boolean') return issue('InvalidType', 'Value must be a boolean');
      return { value: { value } };
    case 'date':
    case 'date_time':
    case 'birthday': {
      const seconds =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && RFC3339.test(value)
            ? Date.parse(value) / 1000
            : NaN;
      if (!Number.isFinite(seconds)) {
        return issue('InvalidType', 'Value must be a unix timestamp or an RFC 3339 date-time');
      }
      return { value: { value: Math.trunc(seconds) } };
    }
    default:
      if (typeof value === 'object') return issue('InvalidType', 'Unsupported value');
      return { value: { value: value as string | number | boolean } };
  }
}
