import { describe, expect, it } from 'vitest';
import { SandboxClock } from './clock.js';

describe('SandboxClock', () => {
  it('wakes a long sleep at once when the clock is advanced past it', async () => {
    const clock = new SandboxClock();
    const started = Date.now();
    const sleeping = clock.sleep(45_000);
    clock.advance(45_000);
    await sleeping;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('runs faster than real time at a higher speed', async () => {
    const clock = new SandboxClock({ speed: 1_000 });
    const before = clock.now();
    const started = Date.now();
    await clock.sleep(20_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(clock.now() - before).toBeGreaterThanOrEqual(19_999);
  });

  it('goes back to real time at speed 1 after being moved', () => {
    const clock = new SandboxClock({ speed: 50 });
    clock.advance(3_600_000);
    expect(clock.now() - Date.now()).toBeGreaterThan(3_500_000);
    clock.resetToRealTime();
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(50);
    expect(clock.getSpeed()).toBe(1);
  });
});
