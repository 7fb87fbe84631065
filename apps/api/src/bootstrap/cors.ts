import fastifyCors, { type FastifyCorsOptions } from '@fastify/cors';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { isWidgetOrigin } from '../modules/widget-auth/widget-origin';

/**
 * CORS for the widget, which calls us from the Kommo account page. Allowed origins get their own
 * origin echoed (with `Vary: Origin`, which @fastify/cors adds for a function origin); any other
 * origin gets no CORS headers and its preflight a 404.
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

export async function registerWidgetCors(
  app: NestFastifyApplication,
  extraOrigins: readonly string[] = [],
): Promise<void> {
  await app.register(fastifyCors, widgetCorsOptions(extraOrigins));
}
