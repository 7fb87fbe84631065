import fastifyCors, { type FastifyCorsOptions } from '@fastify/cors';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { isWidgetOrigin } from '../http/widget-auth/widget-origin';

/** The only routes a browser may call from another origin: the widget's, on Kommo's pages. */
export const WIDGET_API_PREFIX = '/widget-api';

export function isWidgetApiUrl(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return path === WIDGET_API_PREFIX || path.startsWith(`${WIDGET_API_PREFIX}/`);
}

/**
 * CORS for the widget, which calls us from the Kommo account page. Allowed origins get their own
 * origin echoed; any other origin gets no CORS headers and its preflight a 404.
 */
export function widgetCorsOptions(extraOrigins: readonly string[] = []): FastifyCorsOptions {
  return {
    origin: (origin, callback) => callback(null, isWidgetOrigin(origin, extraOrigins)),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['X-Auth-Token', 'Content-Type'],
    // The token travels in a header, never in cookies.
    credentials: false,
    // X-Auth-Token makes every call preflighted; let the browser reuse the answer for 10 minutes.
    maxAge: 600,
  };
}

/**
 * The options per request: the widget's for `/widget-api`, none elsewhere, so the admin API, the
 * webhooks and OAuth answer no preflight (docs/architecture.md#http-hardening). Every answer
 * carries `Vary: Origin`, since whether CORS headers come depends on it.
 */
export function perRouteCorsOptions(extraOrigins: readonly string[] = []): FastifyCorsOptions {
  const widget = widgetCorsOptions(extraOrigins);
  const none: FastifyCorsOptions = { origin: false };
  return {
    delegator: (request, callback) =>
      callback(null, isWidgetApiUrl(request.url ?? '') ? widget : none),
  };
}

export async function registerWidgetCors(
  app: NestFastifyApplication,
  extraOrigins: readonly string[] = [],
): Promise<void> {
  await app.register(fastifyCors, perRouteCorsOptions(extraOrigins));
}
