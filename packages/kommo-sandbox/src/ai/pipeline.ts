import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type SandboxClock } from '../clock.js';
import { type ErrorFlavour, failureOutcome, type Outcome } from './errors.js';
import { resolveScript, type ResolvedScript } from './script.js';
import { type ValidationResult } from './spec-validator.js';
import { type AiState, type ProviderName } from './state.js';
import { type StructuredRecord } from './structured.js';

export type AiDeps = { state: AiState; clock: SandboxClock };

/** Success outcomes name their answer (and a structured output's details) for the call log. */
export type HandlerResult = Outcome & { answer?: string; structured?: StructuredRecord };

export type CallSpec = {
  provider: ProviderName;
  flavour: ErrorFlavour;
  endpoint: string;
  key: string | undefined;
  /** Script lookup ids, most specific first (agent/app id, then key). */
  scriptIds: string[];
  body: unknown;
  validation?: ValidationResult | null;
  model?: string;
  /** Set when the credentials are refused; scripted failures are then not consumed. */
  authError?: Outcome;
  /** Headers every answer of this provider carries (request id, rate-limit counters…). */
  baseHeaders?: Record<string, string>;
  /** Runs once auth and scripted failures have passed; may still return a request error. */
  handle: (script: ResolvedScript) => HandlerResult;
};

export const BODY_LIMIT = 50 * 1024 * 1024;

export function bearerKey(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/**
 * The common life of a fake-provider call: record it, check auth, serve the next scripted failure
 * or the answer, wait the scripted latency on the sandbox clock, reply.
 */
export async function runCall(
  deps: AiDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  spec: CallSpec,
): Promise<FastifyReply | undefined> {
  const call = deps.state.record({
    provider: spec.provider,
    endpoint: spec.endpoint,
    method: request.method,
    path: request.url,
    key: spec.key ?? null,
    body: spec.body,
    validation: spec.validation ?? null,
  });
  const script = resolveScript(deps.state, spec.provider, spec.scriptIds);
  let outcome: HandlerResult;
  if (spec.authError) {
    outcome = spec.authError;
  } else {
    const failure = script.takeFailure();
    if (failure?.kind === 'hang') {
      call.outcome = 'hang';
      call.failure = 'hang';
      await hang(deps.state, reply);
      return undefined;
    }
    if (failure) {
      call.failure = failure.kind;
      outcome = failureOutcome(spec.flavour, failure, spec.model);
    } else {
      outcome = spec.handle(script);
      call.answer = outcome.answer ?? null;
      call.structured = outcome.structured ?? null;
    }
  }
  if (script.latencyMs > 0) {
    const interrupted = await Promise.race([
      deps.clock.sleep(script.latencyMs).then(() => false),
      deps.state.closing.then(() => true),
    ]);
    if (interrupted) {
      call.outcome = 'error';
      reply.hijack();
      reply.raw.destroy();
      return undefined;
    }
  }
  call.status = outcome.status;
  call.outcome = outcome.status < 400 ? 'ok' : 'error';
  void reply.code(outcome.status).headers({ ...spec.baseHeaders, ...outcome.headers });
  if (outcome.contentType) void reply.type(outcome.contentType);
  return reply.send(outcome.body);
}

/** Never answers: waits until the client gives up or the server closes (then drops the socket). */
async function hang(state: AiState, reply: FastifyReply): Promise<void> {
  reply.hijack();
  await new Promise<void>((resolve) => {
    const release = () => {
      state.hung.delete(release);
      reply.raw.off('close', release);
      resolve();
    };
    state.hung.add(release);
    reply.raw.on('close', release);
  });
  if (!reply.raw.destroyed) reply.raw.destroy();
}
