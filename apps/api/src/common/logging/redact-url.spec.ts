import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('hides the webhook token in the path', () => {
    expect(redactUrl('/AbC123secret/handler?model=gpt-4o-mini')).toBe(
      '/[token]/handler?model=gpt-4o-mini',
    );
    expect(redactUrl('/AbC123secret/widget-request')).toBe('/[token]/widget-request');
  });

  it('hides a token-shaped path segment in any URL, not only the webhook routes', () => {
    // A real token in a URL that is not quite the webhook's (a copy-paste slip, a proxy's
    // rewrite) is answered 404, and its request line is logged.
    const token = 'Xk3_9aZq-0123456789abcdefghijklmnopqrstuvwx';
    expect(token).toHaveLength(43);
    for (const [url, redacted] of [
      [`//${token}/handler`, '//[token]/handler'],
      [`/${token}/Handler`, '/[token]/Handler'],
      [`/${token}/handler.php?x=1`, '/[token]/handler.php?x=1'],
      [`/${token}`, '/[token]'],
      [`/${token}/`, '/[token]/'],
      [`/x/${token}/handler`, '/x/[token]/handler'],
    ]) {
      expect(redactUrl(url!)).toBe(redacted);
    }
    // Shorter or longer segments are ordinary paths (request ids are 36-character UUIDs).
    expect(redactUrl('/admin/api/requests/0b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091')).toBe(
      '/admin/api/requests/0b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091',
    );
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
