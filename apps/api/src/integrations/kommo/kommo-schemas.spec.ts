import { describe, expect, it } from 'vitest';
import { accountSchema, customFieldSchema, halList, leadSchema } from './kommo-schemas';

describe('kommo schemas', () => {
  it('reads the account language from datetime_settings first, then the top level', () => {
    const base = { id: 1, name: 'Acme', subdomain: 'acme', extra: true };
    expect(
      accountSchema.parse({
        ...base,
        language: 'en',
        _embedded: { datetime_settings: { language: 'es', timezone: 'America/Bogota' } },
      }),
    ).toEqual({
      id: 1,
      name: 'Acme',
      subdomain: 'acme',
      language: 'es',
      timezone: 'America/Bogota',
    });
    expect(accountSchema.parse({ ...base, language: 'pt' }).language).toBe('pt');
    expect(accountSchema.parse(base)).toEqual({ id: 1, name: 'Acme', subdomain: 'acme' });
  });

  it('fills a lead without values or _embedded, and keeps unknown fields', () => {
    const lead = leadSchema.parse({ id: 5, name: 'L', custom_fields_values: null, score: 3 });
    expect(lead.custom_fields_values).toBeNull();
    expect(lead._embedded.tags).toEqual([]);
    expect((lead as Record<string, unknown>).score).toBe(3);
  });

  it('accepts object values (addresses, files) inside custom_fields_values', () => {
    const lead = leadSchema.parse({
      id: 5,
      name: 'L',
      custom_fields_values: [
        { field_id: 1, field_code: null, values: [{ value: { address_line_1: 'x' } }] },
      ],
      _embedded: { tags: [{ id: 1, name: 'vip', color: null }] },
    });
    expect(lead.custom_fields_values?.[0]?.values[0]?.value).toEqual({ address_line_1: 'x' });
    expect(lead._embedded.tags[0]?.name).toBe('vip');
  });

  it('names the failing path', () => {
    const result = halList('custom_fields', customFieldSchema).safeParse({
      _embedded: { custom_fields: [{ id: 1, name: 'a', type: 'text', sort: 1 }, { id: 'x' }] },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['_embedded', 'custom_fields', 1, 'id']);
  });

  it('reads a page: items, next link, and a null code', () => {
    const page = halList('custom_fields', customFieldSchema).parse({
      _page: 1,
      _links: { self: { href: 's' }, next: { href: 'https://acme.kommo.com/x?page=2' } },
      _embedded: { custom_fields: [{ id: 1, name: 'a', type: 'text', sort: 1 }] },
    });
    expect(page.next).toBe('https://acme.kommo.com/x?page=2');
    expect(page.items).toEqual([{ id: 1, name: 'a', type: 'text', sort: 1, code: null }]);
  });
});
