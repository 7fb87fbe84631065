import { describe, expect, it } from 'vitest';
import { OncePerInterval } from './once-per-interval';

describe('OncePerInterval', () => {
  it('lets the first call through, keeps the rest of the interval quiet, then counts them', () => {
    let now = 1_000;
    const once = new OncePerInterval(10_000, () => now);
    expect(once.take()).toBe(0);
    now += 4_000;
    expect(once.take()).toBeUndefined();
    now += 5_999;
    expect(once.take()).toBeUndefined();
    now += 1;
    expect(once.take()).toBe(2);
    expect(once.take()).toBeUndefined();
  });
});
