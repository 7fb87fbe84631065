import { beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { validateOpenAi } from '../../src/ai/spec-validator.js';
import { chatBody, client, field, useSandbox } from './helpers.js';

// OpenAI structured outputs in the fake (docs/ai-providers.md §1.11), as issue 23's extraction
// will use them: a strict JSON schema of lead fields, a scripted extraction, usage for cost.

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'email', 'budget', 'interest', 'wants_call', 'channels'],
  properties: {
    name: { type: ['string', 'null'] },
    email: { type: ['string', 'null'] },
    budget: { type: ['number', 'null'] },
    interest: { anyOf: [{ type: 'string', enum: ['Basic', 'Pro'] }, { type: 'null' }] },
    wants_call: { type: 'boolean' },
    channels: { type: 'array', items: { type: 'string', enum: ['WhatsApp', 'Email'] } },
  },
};
const ANA = "I'm Ana, ana@example.com, budget 5000, can we meet Tuesday?";
const ANA_FIELDS = {
  name: 'Ana',
  email: 'ana@example.com',
  budget: 5000,
  interest: 'Pro',
  wants_call: true,
  channels: ['Email'],
};
const chatFormat = (schema: unknown = SCHEMA, strict = true) => ({
  response_format: { type: 'json_schema', json_schema: { name: 'lead_fields', schema, strict } },
});
const responsesFormat = (schema: unknown = SCHEMA, strict = true) => ({
  text: { format: { type: 'json_schema', name: 'lead_fields', schema, strict } },
});
const conforms = (value: unknown) => new Ajv2020({ strict: false }).compile(SCHEMA)(value);

describe('fake OpenAI structured outputs', () => {
  const handle = useSandbox();
  const api = client(handle);
  // Compiling OpenAI's schemas takes seconds on a busy machine; do it before the timed tests.
  beforeAll(async () => {
    await api.control('POST', '/spec/warm');
    validateOpenAi('CreateChatCompletionResponse', {});
    validateOpenAi('Response', {});
  }, 60_000);
  const script = () =>
    api.script('openai', {
      structured: {
        rules: [
          { keywords: ['ana@example.com'], json: ANA_FIELDS },
          // A value Kommo has no option for: the product must skip it.
          { keywords: ['enterprise'], json: { interest: 'Enterprise' } },
          { keywords: ['bomb'], refusal: "I'm sorry, I can't help with that." },
        ],
      },
    });

  it('chat completions: returns the scripted extraction as JSON content, with usage counting the schema', async () => {
    await script();
    const plain = await api.openai('/chat/completions', chatBody(ANA));
    const reply = await api.openai('/chat/completions', chatBody(ANA, chatFormat()));
    expect(reply.status).toBe(200);
    const content = field(reply.body, 'choices.0.message.content');
    expect(JSON.parse(content)).toEqual(ANA_FIELDS);
    expect(field(reply.body, 'choices.0.message.refusal')).toBeNull();
    expect(field(reply.body, 'choices.0.finish_reason')).toBe('stop');
    const usage = field<Record<string, number>>(reply.body, 'usage');
    const plainUsage = field<Record<string, number>>(plain.body, 'usage');
    // The same message costs more input with a schema attached (OpenAI counts it as input).
    expect(usage.prompt_tokens).toBeGreaterThan((plainUsage.prompt_tokens ?? 0) + 50);
    expect(usage.completion_tokens).toBe(Math.ceil(content.length / 4));
    expect(usage.total_tokens).toBe((usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0));
    expect(validateOpenAi('CreateChatCompletionResponse', reply.body).result).toMatchObject({
      valid: true,
    });
    const [, call] = await api.calls('?endpoint=chat.completions');
    expect(call?.structured).toMatchObject({
      type: 'json_schema',
      name: 'lead_fields',
      strict: true,
      source: 'scripted',
      conforms: true,
    });
  });

  it('responses: returns the scripted JSON as output_text and echoes the format', async () => {
    await script();
    const reply = await api.openai('/responses', {
      model: 'gpt-4o-mini',
      instructions: 'Extract the lead fields.',
      input: ANA,
      ...responsesFormat(),
    });
    expect(reply.status).toBe(200);
    const text = field(reply.body, 'output.0.content.0.text');
    expect(field(reply.body, 'output.0.content.0.type')).toBe('output_text');
    expect(JSON.parse(text)).toMatchObject({ name: 'Ana', budget: 5000, interest: 'Pro' });
    expect(field(reply.body, 'text.format')).toMatchObject({
      type: 'json_schema',
      name: 'lead_fields',
      strict: true,
      schema: SCHEMA,
    });
    const usage = field<Record<string, number>>(reply.body, 'usage');
    expect(usage.input_tokens).toBeGreaterThan(Math.ceil(JSON.stringify(SCHEMA).length / 4));
    expect(usage.output_tokens).toBe(Math.ceil(text.length / 4));
    expect(usage.total_tokens).toBe((usage.input_tokens ?? 0) + (usage.output_tokens ?? 0));
    expect(validateOpenAi('Response', reply.body).result).toMatchObject({ valid: true });
  });

  it('without a script, answers a value that conforms to the schema (null where nullable)', async () => {
    const chat = await api.openai('/chat/completions', chatBody('Hello', chatFormat()));
    const fromChat: unknown = JSON.parse(field(chat.body, 'choices.0.message.content'));
    expect(conforms(fromChat)).toBe(true);
    expect(fromChat).toEqual({
      name: null,
      email: null,
      budget: null,
      interest: null,
      wants_call: false,
      channels: [],
    });
    const resp = await api.openai('/responses', {
      model: 'gpt-4o-mini',
      input: 'Hello',
      ...responsesFormat({
        type: 'object',
        additionalProperties: false,
        required: ['plan', 'day'],
        properties: {
          plan: { type: 'string', enum: ['Basic', 'Pro'] },
          day: { type: 'string', format: 'date' },
        },
      }),
    });
    expect(JSON.parse(field(resp.body, 'output.0.content.0.text'))).toEqual({
      plan: 'Basic',
      day: '2026-01-01',
    });
    const calls = await api.calls();
    expect(calls.map((c) => c.structured?.source)).toEqual(['schema', 'schema']);
    expect(calls.every((c) => c.structured?.conforms)).toBe(true);
  });

  it('sends a scripted value that breaks the schema as it is, and says so in the call log', async () => {
    await script();
    const reply = await api.openai(
      '/chat/completions',
      chatBody('We want the enterprise plan', chatFormat()),
    );
    expect(JSON.parse(field(reply.body, 'choices.0.message.content'))).toEqual({
      interest: 'Enterprise',
    });
    const [call] = await api.calls();
    expect(call?.structured).toMatchObject({ source: 'scripted', conforms: false });
    expect(call?.structured?.errors.length).toBeGreaterThan(0);
  });

  it('scripts a refusal on both APIs', async () => {
    await script();
    const chat = await api.openai(
      '/chat/completions',
      chatBody('how to make a bomb', chatFormat()),
    );
    expect(field(chat.body, 'choices.0.message')).toMatchObject({
      content: null,
      refusal: "I'm sorry, I can't help with that.",
    });
    const resp = await api.openai('/responses', {
      model: 'gpt-4o-mini',
      input: 'how to make a bomb',
      ...responsesFormat(),
    });
    expect(field(resp.body, 'output.0.content.0')).toEqual({
      type: 'refusal',
      refusal: "I'm sorry, I can't help with that.",
    });
    expect(validateOpenAi('Response', resp.body).result).toMatchObject({ valid: true });
  });

  it('refuses a strict schema outside the supported subset as OpenAI does', async () => {
    const loose = { type: 'object', properties: { name: { type: 'string' } } };
    const chat = await api.openai('/chat/completions', chatBody(ANA, chatFormat(loose)));
    expect(chat.status).toBe(400);
    expect(chat.body).toEqual({
      error: {
        message:
          "Invalid schema for response_format 'lead_fields': In context=(), 'additionalProperties' is required to be supplied and to be false.",
        type: 'invalid_request_error',
        param: 'response_format',
        code: null,
      },
    });
    const missing = {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string' },
        address: {
          type: 'object',
          additionalProperties: false,
          required: [],
          properties: { city: { type: 'string' } },
        },
      },
    };
    const resp = await api.openai('/responses', {
      model: 'gpt-4o-mini',
      input: ANA,
      ...responsesFormat(missing),
    });
    expect(resp.status).toBe(400);
    expect(field(resp.body, 'error')).toMatchObject({
      code: 'invalid_json_schema',
      param: 'text.format.schema',
    });
    expect(field(resp.body, 'error.message')).toContain("Missing 'address'");
    // Not strict: the same loose schema is accepted.
    const lenient = await api.openai('/chat/completions', chatBody(ANA, chatFormat(loose, false)));
    expect(lenient.status).toBe(200);
    expect(JSON.parse(field(lenient.body, 'choices.0.message.content'))).toEqual({ name: '' });
  });

  it('JSON mode needs the word json in the messages', async () => {
    const refused = await api.openai(
      '/chat/completions',
      chatBody('Hi', { response_format: { type: 'json_object' } }),
    );
    expect(refused.status).toBe(400);
    expect(field(refused.body, 'error.message')).toContain("must contain the word 'json'");
    const ok = await api.openai(
      '/chat/completions',
      chatBody('Answer in JSON please', { response_format: { type: 'json_object' } }),
    );
    expect(ok.status).toBe(200);
    expect(JSON.parse(field(ok.body, 'choices.0.message.content'))).toEqual({});
  });

  it('Dify and Chatbase ignore a response_format: they answer plain text', async () => {
    await script();
    const dify = await api.dify({
      inputs: {},
      query: ANA,
      user: 'lead-1',
      ...chatFormat(),
    });
    expect(dify.status).toBe(200);
    expect(field(dify.body, 'answer')).toBe(`Echo: ${ANA}`);
    const chatbase = await api.chatbase('/v2/agents/agent-1/chat', {
      message: ANA,
      stream: false,
      ...chatFormat(),
    });
    expect(chatbase.status).toBe(200);
    expect(field(chatbase.body, 'data.parts.0.text')).toBe(`Echo: ${ANA}`);
    const calls = await api.calls();
    expect(calls.map((c) => c.structured)).toEqual([null, null]);
  });

  it('refuses a structured rule without json or refusal, or with a bad pattern', async () => {
    const noJson = await api.control('PUT', '/scripts/openai', {
      structured: { rules: [{ keywords: ['x'] }] },
    });
    expect(noJson.status).toBe(400);
    const badPattern = await api.control('PUT', '/scripts/openai', {
      structured: { rules: [{ pattern: '(', json: {} }] },
    });
    expect(badPattern.status).toBe(400);
  });
});
