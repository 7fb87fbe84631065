import { describe, expect, it } from 'vitest';
import { HashGate, HashGateBusy } from './hash-gate';

const deferred = () => {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { done, release };
};

describe('HashGate', () => {
  it('runs at most `slots` at once, lets a few wait, refuses the rest', async () => {
    const gate = new HashGate(1, 1, 1_000);
    let running = 0;
    let most = 0;
    const first = deferred();
    const work = (wait: Promise<void>) => async () => {
      running++;
      most = Math.max(most, running);
      await wait;
      running--;
      return 'ok';
    };
    const a = gate.run(work(first.done));
    const b = gate.run(work(Promise.resolve()));
    await expect(gate.run(work(Promise.resolve()))).rejects.toBeInstanceOf(HashGateBusy);
    first.release();
    await expect(Promise.all([a, b])).resolves.toEqual(['ok', 'ok']);
    expect(most).toBe(1);
  });

  it('gives up on a waiter after maxWaitMs', async () => {
    const gate = new HashGate(1, 1, 20);
    const hold = deferred();
    const a = gate.run(() => hold.done);
    await expect(gate.run(() => Promise.resolve())).rejects.toBeInstanceOf(HashGateBusy);
    hold.release();
    await a;
    await expect(gate.run(() => Promise.resolve(1))).resolves.toBe(1);
  });
});
