/** A failed admin API call: the status and the API's own message. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

/** What a status means to the person at the panel, when the API sent no message of its own. */
const FALLBACKS: Record<number, string> = {
  0: 'The API could not be reached. Check the connection and try again.',
  401: 'Your session has ended. Sign in again.',
  403: 'Your role may not do this.',
  404: 'Not found: it may have been removed.',
  429: 'Too many attempts. Wait a little and try again.',
};

/** The message the API put in the body (Nest: `message`, a string or a list), else the status's. */
export function messageOf(status: number, body: unknown): string {
  const record = (typeof body === 'object' && body !== null ? body : {}) as { message?: unknown };
  if (typeof record.message === 'string' && record.message) return record.message;
  if (Array.isArray(record.message) && record.message.length) return record.message.join('; ');
  if (FALLBACKS[status]) return FALLBACKS[status];
  if (status >= 500) {
    return `The API failed (${status}). Try again; if it persists, check its logs.`;
  }
  return `The API answered ${status}.`;
}

// The CSRF token comes with the session (login, or /me after a reload) and goes on every change.
let csrfToken: string | null = null;
export const setCsrfToken = (token: string | null) => {
  csrfToken = token;
};

/** Called when any call answers 401: the session ended, so the app shows the sign-in page. */
let onSignedOut: () => void = () => undefined;
export const whenSignedOut = (handler: () => void) => {
  onSignedOut = handler;
};

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/admin/api${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new AdminApiError(0, messageOf(0, null));
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    if (response.status === 401 && path !== '/login' && path !== '/me') onSignedOut();
    throw new AdminApiError(response.status, messageOf(response.status, parsed));
  }
  return parsed as T;
}

/** `?a=1&b=x` from the filled values only. */
export function query(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
