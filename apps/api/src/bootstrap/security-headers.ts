import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { RESULT_PAGE_STYLE_SOURCE } from '../http/oauth/result-page';
import { isWidgetApiUrl } from './cors';

const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Security headers on every answer, helmet's (docs/architecture.md#http-hardening).
 * The policy fits the admin panel's Vite build (scripts and styles are files under /admin/assets,
 * nothing inline) and the install result page (one style element, allowed by its hash); no page
 * of ours may be framed. What helmet cannot decide per request is added here:
 * - HSTS only when the request came over https (directly, or `X-Forwarded-Proto` from the proxy);
 * - `Cache-Control: no-store` on JSON answers (sessions, settings, request ids);
 * - the widget API's answers may be read from Kommo's pages (CORS decides who), so their
 *   Cross-Origin-Resource-Policy is `cross-origin`, not helmet's `same-origin`.
 */
const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", RESULT_PAGE_STYLE_SOURCE],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  xFrameOptions: { action: 'deny' },
  strictTransportSecurity: false,
  referrerPolicy: { policy: 'no-referrer' },
};

/**
 * Helmet's headers for these options, worked out once: they depend on nothing in the request.
 * (@fastify/helmet built helmet's middleware again for every request, CSP parsing included: 6 %
 * of the API's CPU at the ack's capacity, docs/performance.md.)
 */
export function helmetHeaders(options: HelmetOptions = HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  // Helmet 8 throws a bad option itself; its callback only says it is done.
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

export function registerSecurityHeaders(app: NestFastifyApplication): void {
  const headers = helmetHeaders();
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headers);
    if (request.protocol === 'https') void reply.header('strict-transport-security', HSTS);
    if (isWidgetApiUrl(request.url)) {
      void reply.header('cross-origin-resource-policy', 'cross-origin');
    }
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && /[/+]json\b/.test(type) && !reply.hasHeader('cache-control')) {
      void reply.header('cache-control', 'no-store');
    }
    done(null, payload);
  });
}
