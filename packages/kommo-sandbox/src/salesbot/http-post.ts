import qs from 'qs';
import { type HttpPoster } from './ports.js';

/** POSTs with a real-time limit: Kommo waits 2 s for the receiver's answer, not sandbox time. */
export const postWithTimeout: HttpPoster = async (url, body, timeoutMs) => {
  const started = Date.now();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': body.contentType, 'user-agent': 'amoCRM-Salesbot/1.0 (sandbox)' },
      body: body.payload,
      signal,
    });
    const text = await response.text().catch(() => '');
    return { ok: true, status: response.status, body: text, elapsedMs: Date.now() - started };
  } catch (error) {
    const elapsedMs = Date.now() - started;
    const reason = signal.aborted
      ? `no answer within ${timeoutMs} ms`
      : ((error as Error).cause?.toString() ?? String(error));
    return { ok: false, error: reason, elapsedMs };
  }
};

/** JSON, or `application/x-www-form-urlencoded` with PHP-style keys (`data[k]=v`) as PHP sends. */
export function encodeBody(
  value: Record<string, unknown>,
  encoding: 'json' | 'form',
): { contentType: string; payload: string } {
  if (encoding === 'json') {
    return { contentType: 'application/json', payload: JSON.stringify(value) };
  }
  return { contentType: 'application/x-www-form-urlencoded', payload: qs.stringify(value) };
}
