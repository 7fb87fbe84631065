import { type SandboxContext } from '../context.js';

export type OutboundResult = { url: string; status: number; error?: string; duration_ms: number };

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
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? context.kommo.settings.outboundTimeoutMs;
  let status = 0;
  let error: string | undefined;
  try {
    const response = await fetch(options.url, {
      method: 'GET',
      headers: { 'user-agent': 'amoService-oAuth-Code-Sender/1.0', ...options.headers },
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
  const duration_ms = Date.now() - started;
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
