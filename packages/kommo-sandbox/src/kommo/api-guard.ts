/*
 * The API guard: every account-scoped Kommo route runs it as a preHandler. In order it
 *   1. resolves the account from `/a/{subdomain}` or the Host header (404 problem when unknown),
 *   2. applies injected faults (status / delay / hang; see faults.ts),
 *   3. applies the rate limiter (429 with retry_after, then 403 while blocked),
 *   4. checks `Authorization: Bearer <access token>` for that account (401 problem+json when
 *      missing, unknown, expired or revoked) and, for `auth: 'admin'`, that the token's user is an
 *      admin (403 problem),
 * and leaves the result for the handler: `kommoRequest(request)` → { account, user, token }.
 * Every request is recorded in the request log by the recorder hook (recorder.ts).
 *
 * Usage (the easy way registers both `/api/...` and `/a/:sandboxAccount/api/...`):
 *
 *   registerAccountRoute(app, context, {
 *     method: 'POST',
 *     url: '/api/v4/salesbot/:botId/continue/:continueId',
 *     auth: 'admin',
 *     kind: 'salesbot.continue',
 *     handler: async (request, reply) => {
 *       const { account, user } = kommoRequest(request);
 *       …
 *     },
 *   });
 *
 * Or by hand: `app.post(url, { preHandler: createApiGuard(context, { auth: 'token' }) }, handler)`
 * (then register the `/a/:sandboxAccount` form too if you want path addressing).
 */
import {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteHandlerMethod,
} from 'fastify';
import { type SandboxContext } from '../context.js';
import { ACCOUNT_PARAM, normalisedPath, resolveAccount } from './addressing.js';
import { type Fault } from './faults.js';
import { problem, sendProblem, sendRateLimited, sendUnauthorized } from './problems.js';
import { recordInbound } from './recorder.js';
import { requestState } from './request-state.js';

export type GuardOptions = {
  /** 'token' (default): a valid Bearer token for the account; 'admin': and an admin user; 'none': no token (token endpoint). */
  auth?: 'token' | 'admin' | 'none';
  /** Label for the request log. */
  kind?: string;
};

export type GuardHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function createApiGuard(context: SandboxContext, options: GuardOptions = {}): GuardHandler {
  const store = context.kommo;
  return async (request, reply) => {
    const state = requestState(request);
    if (options.kind) state.kind = options.kind;
    const account = resolveAccount(context, request);
    if (!account) {
      state.error = 'unknown account';
      await sendProblem(reply, 404, 'Account not found');
      return;
    }
    state.account = account;

    const fault = store.faults.take(request.method, normalisedPath(request.url), account.id);
    if (fault && (await applyFault(context, fault, request, reply))) return;

    const decision = store.rateLimiter.hit({
      clientId: store.integration.client_id,
      accountId: account.id,
      ip: request.ip,
    });
    if (!decision.allowed) {
      if (decision.status === 429) {
        state.outcome = 'rate-limited';
        await sendRateLimited(reply, decision.retryAfterSec);
      } else {
        state.outcome = 'blocked';
        await sendProblem(
          reply,
          403,
          'Access denied: too many requests, the account is temporarily blocked',
        );
      }
      return;
    }

    if ((options.auth ?? 'token') === 'none') return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const check = match?.[1]
      ? store.oauth.checkAccessToken(match[1])
      : ({ ok: false, reason: 'missing' } as const);
    if (!check.ok || check.token.account_id !== account.id) {
      state.outcome = 'unauthorized';
      state.error = check.ok ? 'token of another account' : `token ${check.reason}`;
      await sendUnauthorized(reply);
      return;
    }
    state.token = check.token;
    state.user = store.getUser(account.id, check.token.user_id) ?? null;
    if (options.auth === 'admin' && !state.user?.is_admin) {
      state.error = 'not an admin';
      await sendProblem(reply, 403, 'Access denied');
    }
  };
}

/** Runs a fault; true when it answered (the handler must not run). */
async function applyFault(
  context: SandboxContext,
  fault: Fault,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  const state = requestState(request);
  if (fault.delay_ms) await new Promise((resolve) => setTimeout(resolve, fault.delay_ms));
  if (fault.hang) {
    state.outcome = 'fault';
    state.error = 'hang';
    reply.hijack();
    const started = Date.now();
    await context.kommo.faults.hang(fault.hang_ms ?? 120_000);
    request.raw.socket.destroy();
    recordInbound(context, request, 0, Date.now() - started);
    return true;
  }
  if (fault.status === undefined) return false;
  state.outcome = 'fault';
  if (fault.body !== undefined) {
    await reply.code(fault.status).type('application/json').send(JSON.stringify(fault.body));
  } else if (fault.status === 429) {
    await sendRateLimited(reply, fault.retry_after ?? 1);
  } else {
    const body = problem(
      fault.status,
      'Injected fault',
      fault.status >= 500 ? { trace_id: `sandbox-fault-${fault.id}` } : {},
    );
    await reply.code(fault.status).type('application/problem+json').send(JSON.stringify(body));
  }
  return true;
}

export type AccountRoute = GuardOptions & {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The Kommo path, e.g. `/api/v4/leads/:id`. */
  url: string;
  handler: RouteHandlerMethod;
};

/** Registers a route at `url` and at `/a/:sandboxAccount{url}`, both behind the API guard. */
export function registerAccountRoute(
  app: FastifyInstance,
  context: SandboxContext,
  route: AccountRoute,
): void {
  const preHandler = createApiGuard(context, route);
  for (const url of [route.url, `/a/:${ACCOUNT_PARAM}${route.url}`]) {
    app.route({ method: route.method, url, preHandler, handler: route.handler });
  }
}
