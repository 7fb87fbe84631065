import { describe, expect, it } from 'vitest';
import { isWidgetOrigin } from './widget-origin';

describe('isWidgetOrigin', () => {
  it.each([
    'https://acme.kommo.com',
    'https://my-shop-2.kommo.com',
    'https://acme.amocrm.ru',
    'https://acme.amocrm.com',
  ])('allows the account page %s', (origin) => {
    expect(isWidgetOrigin(origin)).toBe(true);
  });

  it.each([
    ['plain http', 'http://acme.kommo.com'],
    ['a look-alike suffix', 'https://acme.kommo.com.evil.example'],
    ['a look-alike prefix', 'https://evilkommo.com'],
    ['the bare domain', 'https://kommo.com'],
    ['two labels', 'https://a.b.kommo.com'],
    ['a port', 'https://acme.kommo.com:8443'],
    ['a path', 'https://acme.kommo.com/'],
    ['a leading hyphen', 'https://-acme.kommo.com'],
    ['upper case (browsers send lower case)', 'https://ACME.kommo.com'],
    ['another platform', 'https://acme.amocrm.de'],
    ['a foreign site', 'https://evil.example'],
    ['the opaque origin', 'null'],
    ['no origin', undefined],
    ['an empty origin', ''],
  ])('refuses %s', (_name, origin) => {
    expect(isWidgetOrigin(origin)).toBe(false);
  });

  it('allows the configured extra origins exactly', () => {
    const extra = ['http://127.0.0.1:4000'];
    expect(isWidgetOrigin('http://127.0.0.1:4000', extra)).toBe(true);
    expect(isWidgetOrigin('http://127.0.0.1:4001', extra)).toBe(false);
    expect(isWidgetOrigin('http://127.0.0.1', extra)).toBe(false);
    expect(isWidgetOrigin('http://127.0.0.1:4000', [])).toBe(false);
  });
});
