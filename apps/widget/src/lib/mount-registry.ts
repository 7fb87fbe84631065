/** Remembers what is mounted where, so a host that calls render twice gets one instance. */
export function mountRegistry<T>() {
  const mounted = new WeakMap<HTMLElement, T>();
  return {
    ensure(container: HTMLElement, create: () => T): T {
      const existing = mounted.get(container);
      if (existing !== undefined) return existing;
      const created = create();
      mounted.set(container, created);
      return created;
    },
    release(container: HTMLElement, destroy: (value: T) => void): void {
      const existing = mounted.get(container);
      if (existing === undefined) return;
      mounted.delete(container);
      destroy(existing);
    },
  };
}
