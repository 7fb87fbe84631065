import { AppError } from '../errors/app-error';

/** `unreachable`: down or starting up (wait for it); `preflight_failed`: wrong settings. */
export type PreflightErrorCode = 'preflight_failed' | 'unreachable';

/** A dependency the process cannot start without is missing or misconfigured; one readable line. */
export class PreflightError extends AppError<PreflightErrorCode> {
  constructor(message: string, code: PreflightErrorCode = 'preflight_failed') {
    super(code, 'internal', message);
  }
}

/**
 * The dependency is not there yet (down, restarting, starting up): the process waits for it
 * instead of exiting (see untilReachable). Wrong settings stay a PreflightError.
 */
export class UnreachableError extends PreflightError {
  constructor(message: string) {
    super(message, 'unreachable');
  }
}

// Socket errors, and PostgreSQL's "starting up" / "shutting down" (57P03, 57P01, 57P02): what an
// outage or a restart looks like, as opposed to a wrong password or a missing permission.
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
]);

/** True for an error that another try may not see: see TRANSIENT_CODES. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  // pg's connect timeout and a socket closed mid-handshake carry no code; Redis says LOADING
  // while it reads its data back after a restart.
  return /timeout|Connection terminated|connection is closed|^LOADING/i.test(message);
}

/** Turns a socket error into words: "connection refused", "timed out", "host not found". */
export function describeNetworkError(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return 'connection timed out';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
