import { type SandboxContext } from '../context.js';

export type OutboundResult = { url: string; status: number; error?: string; duration_ms: number };

/**
 * One HTTP call Kommo makes, redirects not followed, the body discarded: its status (0 when it
 * did not answer within `timeoutMs` real ms or could not be reached) and how long it took.
 */
export async function sendOutbound(
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  timeoutMs: number,
): Promise<{ status: number; error?: string; duration_ms: number }> {
  const started = Date.now();
  let status = 0;
  let error: string | undefined;
  try {
    const response = await fetch(url, {
      ...init,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    status = response.status;
    await response.body?.cancel();
  } catch (caught) {
    error =
      caught instanceof Error && caught.name === 'TimeoutError'
        ? `timeout after ${timeoutMs} ms`
        : String(caught);
  }
  return { status, duration_ms: Date.now() - started, ...(error ? { error } : {}) };
}

/**
 * A call Kommo makes to us (install webhook, uninstall hook). Sent once, never retried; the
 * response is only logged, like Kommo, which ignores it. `timeoutMs` is Kommo's budget (3 s).
 */
export async function callOutbound(
  context: SandboxContext,
  options: {
    url: string;
    kind: string;
    accountId: number | null;
    timeoutMs?: number;
    headers?: Record<string, string>;
  },
): Promise<OutboundResult> {
  const timeoutMs = options.timeoutMs ?? context.kommo.settings.outboundTimeoutMs;
  const { status, error, duration_ms } = await sendOutbound(
    options.url,
    {
      method: 'GET',
      headers: { 'user-agent': 'amoService-oAuth-Code-Sender/1.0', ...options.headers },
    },
    timeoutMs,
  );
  context.kommo.recordRequest({
    direction: 'out',
    method: 'GET',
    path: options.url,
    url: options.url,
    account_id: options.accountId,
    status,
    kind: options.kind,
    outcome: null,
    duration_ms,
    ...(error ? { error } : {}),
  });
  return { url: options.url, status, duration_ms, ...(error ? { error } : {}) };
}
