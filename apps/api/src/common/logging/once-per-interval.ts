/**
 * Lets one call through per interval, so a fault that repeats (a lost connection seen by every
 * client of a pool, a retry loop) is said once per interval, with how often it was kept quiet.
 */
export class OncePerInterval {
  private last = Number.NEGATIVE_INFINITY;
  private quiet = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The calls kept quiet since the last one let through, or undefined to keep this one quiet. */
  take(): number | undefined {
    const at = this.now();
    if (at - this.last < this.intervalMs) {
      this.quiet += 1;
      return undefined;
    }
    const quiet = this.quiet;
    this.quiet = 0;
    this.last = at;
    return quiet;
  }
}
