import { type Server } from 'node:http';
import { type Env } from '../config/env.schema';

type Limits = Pick<
  Env,
  | 'HTTP_HEADERS_TIMEOUT_MS'
  | 'HTTP_REQUEST_TIMEOUT_MS'
  | 'HTTP_IDLE_TIMEOUT_MS'
  | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'
  | 'HTTP_MAX_CONNECTIONS'
  | 'AI_RETRY_BUDGET_MS'
>;

// The widget's test console holds its request while the provider step runs (up to
// AI_RETRY_BUDGET_MS) and sends nothing meanwhile; the idle timeout must not cut it.
const CONSOLE_MARGIN_MS = 10_000;

/**
 * Fastify's options for slow clients (docs/architecture.md#http-hardening). `requestTimeout`
 * bounds the time to receive a whole request (a body trickled a byte at a time), the idle
 * `connectionTimeout` a socket on which nothing moves, `keepAliveTimeout` an idle kept-alive one.
 * Node enforces the header and request timeouts on a periodic sweep (30 s by default), so the
 * sweep runs often enough for the shortest of them to mean what it says.
 */
export function httpServerOptions(env: Limits) {
  const request = env.HTTP_REQUEST_TIMEOUT_MS;
  const headers = Math.min(env.HTTP_HEADERS_TIMEOUT_MS, request);
  return {
    requestTimeout: request,
    connectionTimeout: Math.max(
      env.HTTP_IDLE_TIMEOUT_MS,
      env.AI_RETRY_BUDGET_MS + CONSOLE_MARGIN_MS,
    ),
    keepAliveTimeout: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: headers,
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(headers / 2))),
    },
  };
}

/** What Fastify has no option for: the connection cap (further sockets are dropped at once). */
export function applyConnectionCap(server: Server, env: Limits): void {
  server.maxConnections = env.HTTP_MAX_CONNECTIONS;
}
