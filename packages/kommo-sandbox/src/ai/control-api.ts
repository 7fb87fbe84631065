import { Ajv } from 'ajv';
import { type FastifyInstance } from 'fastify';
import { type AiDeps } from './pipeline.js';
import {
  type AnswerMode,
  expandFailures,
  type Failure,
  failureKinds,
  type Script,
  type StructuredMode,
} from './script.js';
import { specTimings, validateOpenAi } from './spec-validator.js';
import { type AiConfig, type ServerConversation } from './state.js';

const failureSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { enum: [...failureKinds] },
    times: { type: 'integer', minimum: 1 },
    retryAfterSeconds: { type: 'integer', minimum: 0 },
    code: { type: 'string' },
    message: { type: 'string' },
    status: { type: 'integer', minimum: 100, maximum: 599 },
    body: {},
    headers: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

const answerSchema = {
  type: 'object',
  required: ['mode'],
  oneOf: [
    { properties: { mode: { const: 'echo' } }, additionalProperties: false },
    {
      properties: { mode: { const: 'fixed' }, text: { type: 'string' } },
      required: ['text'],
      additionalProperties: false,
    },
    {
      properties: {
        mode: { const: 'intent' },
        default: { type: 'string' },
        matchOn: { enum: ['last_user', 'prompt'] },
        rules: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['answer'],
            properties: {
              keywords: { type: 'array', items: { type: 'string' } },
              pattern: { type: 'string' },
              flags: { type: 'string' },
              answer: { type: 'string' },
            },
          },
        },
      },
      required: ['rules'],
      additionalProperties: false,
    },
  ],
};

const matchers = {
  keywords: { type: 'array', items: { type: 'string' } },
  pattern: { type: 'string' },
  flags: { type: 'string' },
};

// Structured outputs: rules give a JSON object (sent as is) or a refusal; see script.ts.
const structuredSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchOn: { enum: ['last_user', 'prompt'] },
    default: { type: 'object' },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { ...matchers, json: { type: 'object' }, refusal: { type: 'string' } },
        oneOf: [{ required: ['json'] }, { required: ['refusal'] }],
      },
    },
  },
};

const scriptSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    answer: answerSchema,
    structured: structuredSchema,
    latencyMs: { type: 'integer', minimum: 0 },
    failures: { type: 'array', items: failureSchema },
    transcripts: { type: 'object', additionalProperties: { type: 'string' } },
    transcript: { type: 'string' },
  },
};

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    keyPrefixes: {
      type: 'object',
      additionalProperties: false,
      properties: {
        openai: { type: 'string' },
        dify: { type: 'string' },
        chatbase: { type: 'string' },
      },
    },
    chatbaseAgentPrefix: { type: 'string' },
    chatModels: { type: 'array', items: { type: 'string' } },
    transcriptionModels: { type: 'array', items: { type: 'string' } },
    responsesOutputText: { type: 'boolean' },
  },
};

type ScriptBody = Omit<Script, 'failures'> & { failures?: (Failure & { times?: number })[] };
type Target = { Params: { target: string } };

/** Rejects a rule whose regex does not compile (the schema cannot check that). */
function badPattern(answer: AnswerMode | undefined, structured?: StructuredMode): string | null {
  const rules = [...(answer?.mode === 'intent' ? answer.rules : []), ...(structured?.rules ?? [])];
  for (const rule of rules) {
    if (rule.pattern === undefined) continue;
    try {
      new RegExp(rule.pattern, rule.flags ?? 'i');
    } catch (error) {
      return `invalid pattern ${JSON.stringify(rule.pattern)}: ${(error as Error).message}`;
    }
  }
  return null;
}

/** `/_sandbox/ai/...`: keys, scripts, config, call log and conversations of the fake providers. */
export function registerAiControlApi(scope: FastifyInstance, deps: AiDeps): void {
  const { state } = deps;
  // Its own Ajv: Fastify's default silently strips unknown fields, which would hide typos.
  const ajv = new Ajv({ allErrors: true, strict: false });
  scope.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  scope.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) =>
    reply.code(error.statusCode ?? 500).send({ error: error.message }),
  );

  scope.get('/', () => ({
    config: state.config,
    keys: [...state.keys],
    revokedKeys: [...state.revokedKeys],
    agents: [...state.agents],
    scripts: Object.fromEntries(state.scripts),
    calls: state.calls.length,
    hung: state.hung.size,
    spec: specTimings(),
  }));

  scope.post('/reset', () => {
    state.reset();
    return { ok: true };
  });

  scope.get('/config', () => state.config);
  scope.patch<{ Body: Partial<AiConfig> }>(
    '/config',
    { schema: { body: configSchema } },
    (request) => {
      const { keyPrefixes, ...rest } = request.body;
      state.config = {
        ...state.config,
        ...rest,
        keyPrefixes: { ...state.config.keyPrefixes, ...keyPrefixes },
      };
      return state.config;
    },
  );

  const keysBody = {
    type: 'object',
    additionalProperties: false,
    properties: {
      key: { type: 'string', minLength: 1 },
      keys: { type: 'array', items: { type: 'string' } },
    },
  };
  scope.post<{ Body: { key?: string; keys?: string[] } }>(
    '/keys',
    { schema: { body: keysBody } },
    (request) => {
      const keys = [...(request.body.keys ?? []), ...(request.body.key ? [request.body.key] : [])];
      for (const key of keys) {
        state.keys.add(key);
        state.revokedKeys.delete(key);
      }
      return { keys: [...state.keys] };
    },
  );
  // Revoking also covers prefix-valid keys, so a test can turn a working demo key into a 401.
  scope.delete<{ Params: { key: string } }>('/keys/:key', (request) => {
    state.keys.delete(request.params.key);
    state.revokedKeys.add(request.params.key);
    return { revoked: request.params.key };
  });

  const agentBody = {
    type: 'object',
    additionalProperties: false,
    required: ['agentId'],
    properties: { agentId: { type: 'string', minLength: 1 } },
  };
  scope.post<{ Body: { agentId: string } }>(
    '/agents',
    { schema: { body: agentBody } },
    (request) => {
      state.agents.add(request.body.agentId);
      return { agents: [...state.agents] };
    },
  );
  scope.delete<{ Params: { agentId: string } }>('/agents/:agentId', (request) => {
    state.agents.delete(request.params.agentId);
    return { agents: [...state.agents] };
  });

  scope.get('/scripts', () => Object.fromEntries(state.scripts));
  scope.get<Target>('/scripts/:target', (request, reply) => {
    const script = state.scripts.get(request.params.target);
    return script ?? reply.code(404).send({ error: `no script for ${request.params.target}` });
  });
  scope.put<Target & { Body: ScriptBody }>(
    '/scripts/:target',
    { schema: { body: scriptSchema } },
    (request, reply) => {
      const problem = badPattern(request.body.answer, request.body.structured);
      if (problem) return reply.code(400).send({ error: problem });
      const script: Script = {
        ...request.body,
        failures: expandFailures(request.body.failures ?? []),
      };
      state.scripts.set(request.params.target, script);
      return script;
    },
  );
  scope.post<Target & { Body: { failures: (Failure & { times?: number })[] } }>(
    '/scripts/:target/failures',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['failures'],
          properties: { failures: { type: 'array', items: failureSchema } },
        },
      },
    },
    (request) => {
      const script = state.scripts.get(request.params.target) ?? { failures: [] };
      script.failures.push(...expandFailures(request.body.failures));
      state.scripts.set(request.params.target, script);
      return script;
    },
  );
  scope.delete<Target>('/scripts/:target', (request) => ({
    deleted: state.scripts.delete(request.params.target),
  }));

  scope.get<{ Querystring: { provider?: string; endpoint?: string; key?: string } }>(
    '/calls',
    (request) => {
      const { provider, endpoint, key } = request.query;
      const calls = state.calls.filter(
        (call) =>
          (!provider || call.provider === provider) &&
          (!endpoint || call.endpoint === endpoint) &&
          (!key || call.key === key),
      );
      return { calls };
    },
  );
  scope.delete('/calls', () => {
    state.calls = [];
    return { ok: true };
  });

  const list = (conversations: Map<string, ServerConversation>) => [...conversations.values()];
  scope.get('/conversations', () => ({
    openai: [...state.openAiConversations.values()],
    dify: list(state.difyConversations),
    chatbase: list(state.chatbaseConversations),
  }));

  // Loads and compiles the OpenAI schemas now, so a benchmark's first call is not the slow one.
  scope.post('/spec/warm', () => {
    for (const schema of [
      'CreateChatCompletionRequest',
      'CreateResponse',
      'CreateConversationBody',
    ]) {
      validateOpenAi(schema, {});
    }
    validateOpenAi('CreateTranscriptionRequest', {}, { multipart: true });
    return { spec: specTimings() };
  });
}
