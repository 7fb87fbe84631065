import { type ExtractionFieldType, isExtractionFieldType } from '@gpt-bridge/shared';
import { type KommoLeadFieldInput } from '../../integrations/kommo/kommo-requests';

/** A lead field as the account's Kommo lists it (docs/kommo-contract.md §9.1). */
export type CatalogField = {
  id: number;
  name: string;
  type: string;
  code: string | null;
  enums: { id: number; value: string }[] | null;
};

/** A value ready for the PATCH, and how the trace and the note show it. */
export type FieldWrite = { ok: true; write: KommoLeadFieldInput; shown: unknown };
export type FieldRefusal = { ok: false; reason: string };

// Kommo refuses a `text` value over 256 characters through the API (§4.7); `textarea` takes far
// more, undocumented: 10,000 keeps a note-sized value well inside what the sandbox allows.
const TEXT_MAX = 256;
const TEXTAREA_MAX = 10_000;
const NUMBER = /^-?\d+(\.\d+)?$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Checks one extracted value against its field's Kommo type and options, and gives it in the form
 * Kommo takes (§9.1): strings for text, numbers and URLs, booleans for checkboxes, Unix seconds for
 * dates, `enum_id`s for options. A value that would make Kommo refuse the whole PATCH is refused
 * here instead, with the reason in words, so the other values still land.
 */
export function fieldWriteFor(
  field: CatalogField,
  value: unknown,
  timeZone: string,
): FieldWrite | FieldRefusal {
  if (!isExtractionFieldType(field.type)) {
    return refuse(`the field type ${field.type} cannot be filled by an extraction`);
  }
  const type: ExtractionFieldType = field.type;
  switch (type) {
    case 'text':
    case 'textarea': {
      const text = scalarText(value);
      if (text === null) return refuse('not a text');
      const max = type === 'text' ? TEXT_MAX : TEXTAREA_MAX;
      if (text.length > max) return refuse(`longer than ${max} characters`);
      return single(field, text, text);
    }
    case 'url': {
      const text = scalarText(value);
      if (text === null || !isWebAddress(text)) return refuse('not an http(s) address');
      if (text.length > TEXT_MAX) return refuse(`longer than ${TEXT_MAX} characters`);
      return single(field, text, text);
    }
    case 'numeric': {
      const text =
        typeof value === 'number' && Number.isFinite(value)
          ? String(value)
          : typeof value === 'string'
            ? value.trim().replace(',', '.')
            : null;
      if (text === null || !NUMBER.test(text)) return refuse('not a number');
      // The docs write numbers as strings (§9.1); whether a JSON number is taken is unsettled (§9.6).
      return single(field, text, Number(text));
    }
    case 'checkbox':
      if (typeof value !== 'boolean') return refuse('not true or false');
      return { ok: true, write: { field_id: field.id, values: [{ value }] }, shown: value };
    case 'date': {
      const seconds = typeof value === 'string' ? dayStart(value.trim(), timeZone) : null;
      if (seconds === null) return refuse('not a date as YYYY-MM-DD');
      return {
        ok: true,
        write: { field_id: field.id, values: [{ value: seconds }] },
        shown: (value as string).trim(),
      };
    }
    case 'select': {
      if (typeof value !== 'string') return refuse('not one option');
      const option = optionOf(field, value);
      if (!option) return refuse(notAnOption(field, value));
      return {
        ok: true,
        write: { field_id: field.id, values: [{ enum_id: option.id }] },
        shown: option.value,
      };
    }
    case 'multiselect': {
      const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : null;
      if (list === null || list.some((v) => typeof v !== 'string')) {
        return refuse('not a list of options');
      }
      const options: { id: number; value: string }[] = [];
      for (const item of list as string[]) {
        const option = optionOf(field, item);
        // One unknown option would make Kommo refuse the whole PATCH (§9.1): skip the value.
        if (!option) return refuse(notAnOption(field, item));
        if (!options.includes(option)) options.push(option);
      }
      if (options.length === 0) return refuse('no option chosen');
      return {
        ok: true,
        write: { field_id: field.id, values: options.map((o) => ({ enum_id: o.id })) },
        shown: options.map((o) => o.value),
      };
    }
  }
}

/** Null, '' and [] mean the model found nothing (strict schemas give null for "not said"). */
export function isEmptyValue(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

function refuse(reason: string): FieldRefusal {
  return { ok: false, reason };
}

function single(field: CatalogField, value: string, shown: unknown): FieldWrite {
  return { ok: true, write: { field_id: field.id, values: [{ value }] }, shown };
}

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.');
  } catch {
    return false;
  }
}

/**
 * The option by its exact text, else case-insensitively: the schema gives the model the exact
 * texts, so a different case is the model's slip, not another option (§9.1 "Open").
 */
function optionOf(field: CatalogField, text: string): { id: number; value: string } | undefined {
  const options = field.enums ?? [];
  const wanted = text.trim();
  return (
    options.find((o) => o.value === wanted) ??
    options.find((o) => o.value.toLowerCase() === wanted.toLowerCase())
  );
}

function notAnOption(field: CatalogField, text: string): string {
  const options = (field.enums ?? []).map((o) => o.value).join(', ');
  return `"${text}" is not an option of ${field.name} (${options || 'no options'})`;
}

/**
 * Midnight of a calendar day in the account's time zone, as Unix seconds: what a person picking
 * that day in the card would store. Null for anything but a real YYYY-MM-DD day.
 */
export function dayStart(day: string, timeZone: string): number | null {
  const match = DAY.exec(day);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(year, month - 1, date);
  const check = new Date(utc);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) return null;
  // The zone's offset at that instant, then again at the corrected one (a DST change that day).
  let instant = utc - offsetMs(utc, timeZone);
  instant = utc - offsetMs(instant, timeZone);
  return Math.floor(instant / 1000);
}

function offsetMs(at: number, timeZone: string): number {
  let name: string | undefined;
  try {
    name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(at))
      .find((part) => part.type === 'timeZoneName')?.value;
  } catch {
    return 0; // an unknown zone name: UTC
  }
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -1 : 1) * minutes * 60_000;
}
