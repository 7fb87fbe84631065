/** A dependency the process cannot start without is missing or misconfigured; one readable line. */
export class PreflightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreflightError';
  }
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
