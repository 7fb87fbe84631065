import { OncePerInterval } from '../logging/once-per-interval';
import { UnreachableError } from './preflight.errors';

export type UntilReachableOptions = {
  /** The first wait; each next one doubles, up to maxDelayMs (with jitter). */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** How often the wait is said again while it lasts. */
  noticeEveryMs?: number;
  /** Where the wait is said; plain lines on stderr by default (no logger exists yet). */
  say?: (line: string) => void;
};

/**
 * Runs a preflight step until the dependency it checks answers. A process started while
 * PostgreSQL or Redis is down (or restarting) waits for it with backoff and says so once per
 * interval, instead of exiting (docs/architecture.md, "Failure cases"); any other PreflightError
 * (wrong settings) ends the wait at once.
 */
export async function untilReachable<T>(
  step: () => Promise<T>,
  options: UntilReachableOptions = {},
): Promise<T> {
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const noticeEveryMs = options.noticeEveryMs ?? 30_000;
  const say = options.say ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const notice = new OncePerInterval(noticeEveryMs);
  let delay = options.firstDelayMs ?? 500;
  let waited = false;
  for (;;) {
    try {
      const result = await step();
      if (waited) say('preflight: reachable again; starting');
      return result;
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      waited = true;
      if (notice.take() !== undefined) {
        say(
          `${error.message} Waiting for it: trying again with backoff (at most every ` +
            `${Math.round(maxDelayMs / 1000)} s), saying so every ${Math.round(noticeEveryMs / 1000)} s.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random() / 2)));
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }
}
