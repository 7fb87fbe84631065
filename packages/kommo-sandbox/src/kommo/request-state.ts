import { type FastifyRequest } from 'fastify';
import { type RequestLogEntry } from './request-log.js';
import { type AccessToken, type KommoAccount, type KommoUser } from './types.js';

/** What the API guard learned about a request; read it in handlers with `kommoRequest(request)`. */
export type KommoRequestState = {
  account: KommoAccount | null;
  /** The token's user (null on routes without auth). */
  user: KommoUser | null;
  token: AccessToken | null;
  kind: string | null;
  outcome: RequestLogEntry['outcome'];
  error?: string;
};

const states = new WeakMap<FastifyRequest, KommoRequestState>();

export function requestState(request: FastifyRequest): KommoRequestState {
  let state = states.get(request);
  if (!state) {
    state = { account: null, user: null, token: null, kind: null, outcome: null };
    states.set(request, state);
  }
  return state;
}

/** The guard's result for a request; throws when the route has no guard (a wiring bug). */
export function kommoRequest(
  request: FastifyRequest,
): KommoRequestState & { account: KommoAccount } {
  const state = states.get(request);
  if (!state?.account) {
    throw new Error(
      `No Kommo account resolved for ${request.method} ${request.url}: is the API guard on this route?`,
    );
  }
  return state as KommoRequestState & { account: KommoAccount };
}

/** Labels the request in the log (e.g. `oauth.refresh_token`, `salesbot.continue`). */
export function setRequestKind(request: FastifyRequest, kind: string): void {
  requestState(request).kind = kind;
}
