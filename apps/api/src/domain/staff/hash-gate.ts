import { StaffError } from './staff-errors';

/** Thrown when every hash slot is taken and the short wait list is full or timed out. */
export class HashGateBusy extends StaffError {
  constructor(message = 'every password-hash slot is taken') {
    super('hash_gate_busy', message);
  }
}

/**
 * At most `slots` password hashes at a time in this process (scrypt with N=2^17 takes a core and
 * 128 MiB for about 0.3 s), so a sign-in flood cannot take the CPU or libuv's threads from the
 * webhooks. A few callers may wait briefly; the rest are told to come back (503, Retry-After).
 */
export class HashGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly slots: number,
    private readonly maxWaiting = slots * 2,
    private readonly maxWaitMs = 3_000,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.enter();
    try {
      return await work();
    } finally {
      this.leave();
    }
  }

  private enter(): Promise<void> {
    if (this.running < this.slots) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(new HashGateBusy());
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        this.running++;
        resolve();
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(wake);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(new HashGateBusy());
      }, this.maxWaitMs);
      this.waiting.push(wake);
    });
  }

  private leave(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}
