import { type FastifyInstance, type FastifyRequest } from 'fastify';
import qs from 'qs';
import { type SandboxContext } from '../context.js';
import { normalisedPath } from './addressing.js';
import { requestState } from './request-state.js';

/** Writes one inbound request to the log (the recorder hook calls it; hung requests call it by hand). */
export function recordInbound(
  context: SandboxContext,
  request: FastifyRequest,
  status: number,
  durationMs: number,
): void {
  const state = requestState(request);
  const query = request.url.includes('?')
    ? qs.parse(request.url.slice(request.url.indexOf('?') + 1))
    : undefined;
  context.kommo.recordRequest({
    direction: 'in',
    method: request.method,
    path: normalisedPath(request.url),
    url: request.url,
    account_id: state.account?.id ?? null,
    status,
    kind: state.kind,
    outcome: state.outcome,
    duration_ms: Math.round(durationMs),
    ...(query ? { query } : {}),
    ...(request.body !== undefined && request.body !== null ? { body: request.body } : {}),
    ...(state.error ? { error: state.error } : {}),
  });
}

/** Records every request the sandbox answers except its own control API (`/_sandbox/…`). */
export function installRecorder(app: FastifyInstance, context: SandboxContext): void {
  app.addHook('onResponse', (request, reply, done) => {
    if (!request.url.startsWith('/_sandbox/')) {
      recordInbound(context, request, reply.statusCode, reply.elapsedTime);
    }
    done();
  });
}
