import { describe, expect, it } from 'vitest';
import { deliveryKey } from './delivery-key';

const key = (query: string, body: string, extra: { idempotencyKey?: string } = {}) =>
  deliveryKey({ query: new URLSearchParams(query), rawBody: Buffer.from(body), ...extra });

describe('deliveryKey', () => {
  it('gives a resent delivery (same query, same bytes) the same key', () => {
    const body = 'leads[update][0][id]=7&leads[update][0][name]=A';
    expect(key('model=gpt-6-luna&tokens=200', body)).toBe(key('model=gpt-6-luna&tokens=200', body));
  });

  it('does not depend on the order of the query parameters', () => {
    expect(key('tokens=200&model=m', '{}')).toBe(key('model=m&tokens=200', '{}'));
  });

  it('tells apart deliveries whose body or query differ', () => {
    const base = key('model=m', '{"lead_id":7,"message":"hi"}');
    expect(key('model=m', '{"lead_id":7,"message":"hi!"}')).not.toBe(base);
    expect(key('model=n', '{"lead_id":7,"message":"hi"}')).not.toBe(base);
    expect(key('', '{"lead_id":7,"message":"hi"}')).not.toBe(base);
  });

  it('keeps the query and the body apart: moving bytes from one to the other is another key', () => {
    // Both concatenate to "a=1b=2" without the length prefix.
    expect(key('a=1', 'b=2')).not.toBe(key('a=1b%3D2', ''));
    expect(key('a=1', 'b=2')).not.toBe(key('', 'a=1b=2'));
  });

  it('uses an Idempotency-Key instead of the content when there is one', () => {
    const a = key('', 'one', { idempotencyKey: 'k-1' });
    expect(a).toBe(key('', 'two', { idempotencyKey: 'k-1' }));
    expect(a).toMatch(/^idem:[A-Za-z0-9_-]{43}$/);
    expect(a).not.toContain('k-1');
  });

  it("uses a widget_request's continue path", () => {
    expect(
      deliveryKey({
        continuePath: '/api/v4/salesbot/5/continue/abc',
        query: new URLSearchParams(),
        rawBody: Buffer.from('{"token":"x"}'),
      }),
    ).toBe('continue:/api/v4/salesbot/5/continue/abc');
  });
});
