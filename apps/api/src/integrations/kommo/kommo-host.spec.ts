import { describe, expect, it } from 'vitest';
import { kommoBaseUrl, parseKommoHost } from './kommo-host';

describe('parseKommoHost', () => {
  it('accepts kommo.com, amocrm.ru and amocrm.com account hosts', () => {
    expect(parseKommoHost('acme.kommo.com')).toEqual({ host: 'acme.kommo.com', subdomain: 'acme' });
    expect(parseKommoHost('https://Shop-1.amocrm.ru/')).toEqual({
      host: 'shop-1.amocrm.ru',
      subdomain: 'shop-1',
    });
    expect(parseKommoHost('old.amocrm.com')?.subdomain).toBe('old');
  });

  it('refuses other hosts, nested subdomains and look-alikes', () => {
    for (const bad of [
      '',
      'www.example.com',
      'a.b.kommo.com',
      'acme.kommo.com.evil.io',
      'evilkommo.com',
      '127.0.0.1',
      'acme.kommo.com:8080',
      '-acme.kommo.com',
    ]) {
      expect(parseKommoHost(bad), bad).toBeNull();
    }
  });
});

describe('kommoBaseUrl', () => {
  it('fills the template', () => {
    const target = { host: 'acme.kommo.com', subdomain: 'acme' };
    expect(kommoBaseUrl('https://{host}', target)).toBe('https://acme.kommo.com');
    expect(kommoBaseUrl('http://127.0.0.1:4000/a/{subdomain}', target)).toBe(
      'http://127.0.0.1:4000/a/acme',
    );
  });
});
