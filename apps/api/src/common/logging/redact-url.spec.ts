import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('hides the webhook token in the path', () => {
    expect(redactUrl('/AbC123secret/handler?model=gpt-4o-mini')).toBe(
      '/[token]/handler?model=gpt-4o-mini',
    );
    expect(redactUrl('/AbC123secret/widget-request')).toBe('/[token]/widget-request');
  });

  it('hides credentials in the query string', () => {
    expect(redactUrl('/oauth/callback?code=xyz&referer=acme.kommo.com&state=s1')).toBe(
      '/oauth/callback?code=[redacted]&referer=acme.kommo.com&state=[redacted]',
    );
  });

  it('leaves ordinary paths alone', () => {
    expect(redactUrl('/health')).toBe('/health');
    expect(redactUrl('/widget-api/fields')).toBe('/widget-api/fields');
  });

  it('never throws on malformed percent-encoding (hides that value instead)', () => {
    expect(redactUrl('/health?%E0%A4%A=1&model=x')).toBe('/health?%E0%A4%A=[redacted]&model=x');
  });
});
