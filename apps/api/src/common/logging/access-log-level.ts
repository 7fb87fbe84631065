import { isWebhookUrl } from './redact-url';

/**
 * The level of a request's access line. An acknowledged webhook is on record as its ai_requests
 * row (request id, status, the admin panel and the lead's trace), and its line at info cost 10 %
 * of the API's CPU at the ack's capacity (docs/performance.md): debug. Everything else, webhook
 * refusals and failures included, stays at info.
 */
export function accessLogLevel(
  req: { url?: string },
  res: { statusCode: number },
  err?: Error,
): 'debug' | 'info' {
  return !err && res.statusCode < 300 && isWebhookUrl(req.url ?? '') ? 'debug' : 'info';
}
