import { describe, expect, it } from 'vitest';
import { helmetHeaders } from './security-headers';

describe('helmetHeaders', () => {
  it("are helmet's headers for our policy, worked out without a request", () => {
    const headers = helmetHeaders();
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    // HSTS is ours to add, only over https (registerSecurityHeaders).
    expect(headers['strict-transport-security']).toBeUndefined();
    expect(Object.values(headers).every((value) => typeof value === 'string')).toBe(true);
  });
});
