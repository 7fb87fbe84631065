import { describe, expect, it } from 'vitest';
import { mountRegistry } from './mount-registry';

describe('mountRegistry', () => {
  it('creates once per container and releases once', () => {
    const registry = mountRegistry<{ n: number }>();
    const container = {} as HTMLElement;
    let created = 0;
    let destroyed = 0;
    const first = registry.ensure(container, () => ({ n: ++created }));
    const second = registry.ensure(container, () => ({ n: ++created }));
    expect(second).toBe(first);
    expect(created).toBe(1);
    registry.release(container, () => destroyed++);
    registry.release(container, () => destroyed++);
    expect(destroyed).toBe(1);
  });
});
