import { PreflightError } from './preflight.errors';

/**
 * Runs a boot step; a PreflightError or ConfigError becomes the process's last words (plain lines on
 * stderr, exit 1) instead of a stack trace.
 */
export async function runOrExit<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (
      error instanceof PreflightError ||
      (error instanceof Error && error.name === 'ConfigError')
    ) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
