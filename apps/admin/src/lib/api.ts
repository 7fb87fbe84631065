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

/** The message the API put in the body (Nest: `message`, a string or a list), else the status. */
export function messageOf(status: number, body: unknown): string {
  const record = (typeof body === 'object' && body !== null ? body : {}) as { message?: unknown };
  if (typeof record.message === 'string') return record.message;
  if (Array.isArray(record.message)) return record.message.join('; ');
  if (status === 0) return 'The API could not be reached.';
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
