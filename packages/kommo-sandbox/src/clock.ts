/**
 * The sandbox's clock. Virtual time runs at `speed` times real time and can be moved forward at
 * once, so a 45-second salesbot pause takes milliseconds in a test. Everything in the sandbox that
 * needs "now" (token expiry, code lifetime, pauses, rate-limit windows) reads it from here.
 */
export class SandboxClock {
  private offsetMs = 0;
  private speed: number;
  private anchorReal = Date.now();
  private anchorVirtual = Date.now();
  private waiters = new Set<{ at: number; wake: () => void; timer?: NodeJS.Timeout }>();

  constructor(options: { speed?: number; startAt?: number } = {}) {
    this.speed = options.speed ?? 1;
    if (options.startAt !== undefined) this.anchorVirtual = options.startAt;
  }

  /** Virtual milliseconds since the epoch. */
  now(): number {
    return this.anchorVirtual + (Date.now() - this.anchorReal) * this.speed + this.offsetMs;
  }

  getSpeed(): number {
    return this.speed;
  }

  /** Changes how fast virtual time runs from now on (1 = real time). */
  setSpeed(speed: number): void {
    if (!(speed > 0)) throw new RangeError('speed must be > 0');
    const now = this.now();
    this.anchorReal = Date.now();
    this.anchorVirtual = now - this.offsetMs;
    this.speed = speed;
    this.reschedule();
  }

  /** Jumps virtual time forward; sleepers whose time has come wake up. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('the clock only moves forward');
    this.offsetMs += ms;
    this.reschedule();
  }

  /**
   * Back to real time at speed 1: for a test that moved the clock, so later ones see Kommo's
   * clock agree with ours again (widget tokens issued "in the future" are refused). Sleepers keep
   * their virtual wake-up times.
   */
  resetToRealTime(): void {
    this.offsetMs = 0;
    this.speed = 1;
    this.anchorReal = Date.now();
    this.anchorVirtual = this.anchorReal;
    this.reschedule();
  }

  /** Resolves once `ms` virtual milliseconds have passed. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter = { at: this.now() + ms, wake: resolve } as {
        at: number;
        wake: () => void;
        timer?: NodeJS.Timeout;
      };
      this.waiters.add(waiter);
      this.arm(waiter);
    });
  }

  private arm(waiter: { at: number; wake: () => void; timer?: NodeJS.Timeout }): void {
    if (waiter.timer) clearTimeout(waiter.timer);
    const realDelay = Math.max(0, (waiter.at - this.now()) / this.speed);
    waiter.timer = setTimeout(() => {
      if (this.now() + 1 >= waiter.at) {
        this.waiters.delete(waiter);
        waiter.wake();
      } else {
        this.arm(waiter);
      }
    }, realDelay);
    waiter.timer.unref?.();
  }

  private reschedule(): void {
    for (const waiter of this.waiters) this.arm(waiter);
  }
}
