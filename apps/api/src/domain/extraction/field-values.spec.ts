import { describe, expect, it } from 'vitest';
import { type CatalogField, dayStart, fieldWriteFor, isEmptyValue } from './field-values';

const field = (type: string, enums: string[] | null = null): CatalogField => ({
  id: 10,
  name: `A ${type}`,
  type,
  code: null,
  enums: enums?.map((value, i) => ({ id: 100 + i, value })) ?? null,
});
const write = (type: string, value: unknown, enums?: string[]) =>
  fieldWriteFor(field(type, enums ?? null), value, 'UTC');

// docs/kommo-contract.md §9.1: the form Kommo takes per type, and what it would refuse.
describe('fieldWriteFor: one extracted value against its Kommo field', () => {
  it('text: a trimmed string (a number as its text); over 256 characters is refused', () => {
    expect(write('text', '  Ana ')).toEqual({
      ok: true,
      write: { field_id: 10, values: [{ value: 'Ana' }] },
      shown: 'Ana',
    });
    expect(write('text', 42)).toMatchObject({ ok: true, shown: '42' });
    expect(write('text', 'x'.repeat(257))).toEqual({
      ok: false,
      reason: 'longer than 256 characters',
    });
    expect(write('textarea', 'x'.repeat(257))).toMatchObject({ ok: true });
    expect(write('text', { a: 1 })).toEqual({ ok: false, reason: 'not a text' });
    expect(write('text', true)).toEqual({ ok: false, reason: 'not a text' });
  });

  it('numeric: a number or a numeric string, sent as a string; words and booleans are refused', () => {
    expect(write('numeric', 5000)).toEqual({
      ok: true,
      write: { field_id: 10, values: [{ value: '5000' }] },
      shown: 5000,
    });
    expect(write('numeric', '5000,50')).toMatchObject({
      ok: true,
      write: { values: [{ value: '5000.50' }] },
    });
    for (const bad of ['five thousand', true, '5 000', Number.NaN, null]) {
      expect(write('numeric', bad)).toEqual({ ok: false, reason: 'not a number' });
    }
  });

  it('checkbox: only true or false', () => {
    expect(write('checkbox', false)).toEqual({
      ok: true,
      write: { field_id: 10, values: [{ value: false }] },
      shown: false,
    });
    expect(write('checkbox', 'yes')).toEqual({ ok: false, reason: 'not true or false' });
    expect(write('checkbox', 1)).toEqual({ ok: false, reason: 'not true or false' });
  });

  it('date: a real YYYY-MM-DD day, as Unix seconds at midnight in the account zone', () => {
    expect(write('date', '2026-12-08')).toEqual({
      ok: true,
      write: { field_id: 10, values: [{ value: Date.UTC(2026, 11, 8) / 1000 }] },
      shown: '2026-12-08',
    });
    for (const bad of ['next Tuesday', '08/12/2026', '2026-02-30', 1_796_688_000]) {
      expect(write('date', bad)).toEqual({ ok: false, reason: 'not a date as YYYY-MM-DD' });
    }
    // São Paulo is UTC−3: its midnight is 03:00 UTC.
    expect(dayStart('2026-12-08', 'America/Sao_Paulo')).toBe(Date.UTC(2026, 11, 8, 3) / 1000);
    expect(dayStart('2026-12-08', 'Not/AZone')).toBe(Date.UTC(2026, 11, 8) / 1000);
  });

  it('url: an http(s) address only', () => {
    expect(write('url', 'https://ana.example.com')).toMatchObject({ ok: true });
    for (const bad of [
      'ana.example.com',
      'javascript:alert(1)',
      'ftp://x.example',
      'https://localhost',
    ]) {
      expect(write('url', bad)).toEqual({ ok: false, reason: 'not an http(s) address' });
    }
  });

  it('select: an existing option by its text (case aside), sent as its enum_id; another is named', () => {
    expect(write('select', 'Pro', ['Basic', 'Pro'])).toEqual({
      ok: true,
      write: { field_id: 10, values: [{ enum_id: 101 }] },
      shown: 'Pro',
    });
    expect(write('select', 'pro', ['Basic', 'Pro'])).toMatchObject({ ok: true, shown: 'Pro' });
    expect(write('select', 'Enterprise', ['Basic', 'Pro'])).toEqual({
      ok: false,
      reason: '"Enterprise" is not an option of A select (Basic, Pro)',
    });
    expect(write('select', ['Pro'], ['Basic', 'Pro'])).toEqual({
      ok: false,
      reason: 'not one option',
    });
  });

  it('multiselect: every option must exist (one unknown would refuse the PATCH); duplicates collapse', () => {
    expect(write('multiselect', ['Email', 'WhatsApp', 'Email'], ['WhatsApp', 'Email'])).toEqual({
      ok: true,
      write: { field_id: 10, values: [{ enum_id: 101 }, { enum_id: 100 }] },
      shown: ['Email', 'WhatsApp'],
    });
    expect(write('multiselect', ['Email', 'Telegram'], ['WhatsApp', 'Email'])).toEqual({
      ok: false,
      reason: '"Telegram" is not an option of A multiselect (WhatsApp, Email)',
    });
    expect(write('multiselect', [1], ['WhatsApp'])).toEqual({
      ok: false,
      reason: 'not a list of options',
    });
  });

  it('refuses a type the extraction does not fill', () => {
    expect(write('smart_address', 'Rua 1')).toEqual({
      ok: false,
      reason: 'the field type smart_address cannot be filled by an extraction',
    });
  });

  it('isEmptyValue: null, blank and [] mean "not said"; false and 0 are values', () => {
    expect([null, undefined, '  ', []].every(isEmptyValue)).toBe(true);
    expect([false, 0, 'x', ['a']].some(isEmptyValue)).toBe(false);
  });
});
