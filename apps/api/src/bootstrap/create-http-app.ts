import { existsSync } from 'node:fs';
import { type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import { requestIdFrom } from '../common/logging/request-id';
import { type Env } from '../config/env.schema';
import { WebhookIntake } from '../domain/requests/intake/webhook-intake.service';
import { registerWebhookRoutes } from '../http/webhooks/webhook-routes';
import { ChatEventIntake } from '../domain/handoff/chat-event-intake';
import { registerChatEventRoutes } from '../http/chat-events/chat-event-routes';
import { ClientBudget } from '../common/http/client-budget';
import { registerWidgetCors } from './cors';
import { applyConnectionCap, httpServerOptions } from './http-server-limits';
import { frameworkErrors, rejectMalformedQueries } from './malformed-input';
import { registerSecurityHeaders } from './security-headers';

/** Builds the HTTP app (used by main.ts and by integration tests) without listening. */
export async function createHttpApp(env: Env): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(env),
    new FastifyAdapter({
      // Only these proxies may name the client (docs/architecture.md, "Admin API").
      trustProxy: env.TRUST_PROXY,
      requestIdHeader: false,
      genReqId: (req: { headers: IncomingHttpHeaders }) =>
        requestIdFrom(req.headers['x-request-id']),
      frameworkErrors,
      ...httpServerOptions(env),
    }),
    { bufferLogs: true, abortOnError: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  applyConnectionCap(fastify.server, env);
  // Echo the id so a caller (or support) can find the log lines of one request.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  rejectMalformedQueries(fastify);
  // Before the webhook routes, so their answers carry the headers and the per-route CORS too.
  registerSecurityHeaders(app);
  await registerWidgetCors(app, env.WIDGET_EXTRA_ORIGINS);
  registerWebhookRoutes(fastify, app.get(WebhookIntake), app.get(ClientBudget));
  registerChatEventRoutes(fastify, app.get(ChatEventIntake), app.get(ClientBudget));
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  serveAdmin(app, env);
  return app;
}

// The admin SPA's built files live in apps/admin/dist; served under /admin when present.
function serveAdmin(app: NestFastifyApplication, env: Env): void {
  const root = env.ADMIN_DIST_DIR ?? path.resolve(__dirname, '../../../admin/dist');
  if (!existsSync(path.join(root, 'index.html'))) {
    app.get(Logger).warn({ root }, 'admin panel not built; /admin is not served');
    return;
  }
  app.useStaticAssets({ root, prefix: '/admin/', decorateReply: false });
}
