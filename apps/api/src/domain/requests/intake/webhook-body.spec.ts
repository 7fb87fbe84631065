import { describe, expect, it } from 'vitest';
import { BadWebhookBody, jsonDepthExceeds, MAX_JSON_DEPTH, parseWebhookBody } from './webhook-body';

const nested = (levels: number) => `{"data":${'['.repeat(levels - 1)}1${']'.repeat(levels - 1)}}`;
const json = (text: string) => parseWebhookBody(Buffer.from(text), 'application/json');

describe('parseWebhookBody: JSON depth', () => {
  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more with a 400`, () => {
    expect(json(nested(MAX_JSON_DEPTH))).toHaveProperty('data');
    let refused: unknown;
    try {
      json(nested(MAX_JSON_DEPTH + 1));
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(BadWebhookBody);
    expect((refused as BadWebhookBody).status).toBe(400);
    expect((refused as BadWebhookBody).message).toMatch(/deeper than 32 levels/);
  });

  it('measures 200,000 levels without running out of stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i += 1) deep = { a: deep };
    expect(jsonDepthExceeds(deep, MAX_JSON_DEPTH)).toBe(true);
    expect(() => json(nested(200_000))).toThrow(BadWebhookBody);
  });

  it('counts the deepest branch, not the widest', () => {
    const wide = { a: Array.from({ length: 1_000 }, () => ({ b: [1, 2] })), c: { d: {} } };
    expect(jsonDepthExceeds(wide, 4)).toBe(false);
    expect(jsonDepthExceeds(wide, 3)).toBe(true);
  });
});
