import { describe, expect, it } from 'vitest';
import { validateOpenAi } from '../../src/ai/spec-validator.js';
import { chatBody, client, field, OPENAI_KEY, useSandbox } from './helpers.js';

describe('fake OpenAI chat completions', () => {
  const handle = useSandbox();
  const api = client(handle);

  it('echoes the last user message with usage and a spec-valid response shape', async () => {
    const reply = await api.openai('/chat/completions', {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'Hello there' },
      ],
      max_completion_tokens: 800,
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Echo: Hello there', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
    });
    const usage = field<Record<string, number>>(reply.body, 'usage');
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe((usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0));
    expect(validateOpenAi('CreateChatCompletionResponse', reply.body).result).toMatchObject({
      valid: true,
    });
    expect(reply.headers.get('x-request-id')).toMatch(/^req_/);
    expect(reply.headers.get('x-ratelimit-remaining-requests')).toBe('9999');
  });

  it('accepts vision content parts and counts the images in the echo', async () => {
    const reply = await api.openai('/chat/completions', {
      model: 'gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            {
              type: 'image_url',
              image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
            },
          ],
        },
      ],
    });
    expect(reply.status).toBe(200);
    expect(field(reply.body, 'choices.0.message.content')).toBe(
      'Echo: What is in this picture? [images: 1]',
    );
    const [call] = await api.calls('?endpoint=chat.completions');
    expect(call?.validation).toMatchObject({
      checked: true,
      valid: true,
      schema: 'CreateChatCompletionRequest',
    });
  });

  it('shows memory when the caller resends history (turn number and previous message)', async () => {
    const reply = await api.openai('/chat/completions', {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'Echo: first' },
        { role: 'user', content: 'second' },
      ],
    });
    expect(field(reply.body, 'choices.0.message.content')).toBe(
      'Echo: second (turn 2, previous: first)',
    );
  });

  it('rejects an empty messages array with OpenAI’s 400 shape naming the path, and records it invalid', async () => {
    const reply = await api.openai('/chat/completions', { model: 'gpt-4o-mini', messages: [] });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      error: {
        message:
          "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'empty_array',
      },
    });
    const [call] = await api.calls();
    expect(call?.validation).toMatchObject({ checked: true, valid: false });
    expect(call?.status).toBe(400);
  });

  it('rejects a missing model and a mistyped field', async () => {
    const missing = await api.openai('/chat/completions', {
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(missing.status).toBe(400);
    expect(field(missing.body, 'error')).toMatchObject({
      param: 'model',
      code: 'missing_required_parameter',
    });
    expect(field(missing.body, 'error.message')).toContain("'model'");

    const mistyped = await api.openai('/chat/completions', chatBody('x', { max_tokens: 'abc' }));
    expect(mistyped.status).toBe(400);
    expect(field(mistyped.body, 'error')).toMatchObject({
      param: 'max_tokens',
      code: 'invalid_type',
    });
  });

  it('names nested paths in validation errors', async () => {
    const reply = await api.openai('/chat/completions', {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 42 }],
    });
    expect(reply.status).toBe(400);
    expect(field(reply.body, 'error.param')).toBe('messages[0].content');
  });

  it('answers 401 without a key, with an unknown key, and with a revoked demo key', async () => {
    const none = await api.openai('/chat/completions', chatBody('hi'), null);
    expect(none.status).toBe(401);
    expect(field(none.body, 'error')).toMatchObject({
      type: 'invalid_request_error',
      code: null,
      param: null,
    });

    const unknown = await api.openai('/chat/completions', chatBody('hi'), 'sk-live-nope-1234');
    expect(unknown.status).toBe(401);
    expect(field(unknown.body, 'error')).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
    expect(field(unknown.body, 'error.message')).toContain('sk-****1234');

    await api.control('DELETE', `/keys/${OPENAI_KEY}`);
    expect((await api.openai('/chat/completions', chatBody('hi'))).status).toBe(401);
  });

  it('accepts a key registered through the control API', async () => {
    const key = 'sk-proj-registered';
    expect((await api.openai('/chat/completions', chatBody('hi'), key)).status).toBe(401);
    await api.control('POST', '/keys', { key });
    expect((await api.openai('/chat/completions', chatBody('hi'), key)).status).toBe(200);
  });

  it('answers 404 model_not_found for an unknown model, and for a model removed from the list', async () => {
    const reply = await api.openai('/chat/completions', chatBody('hi', { model: 'gpt-3.5-turbo' }));
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({
      error: {
        message: 'The model `gpt-3.5-turbo` does not exist or you do not have access to it.',
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      },
    });
    await api.control('PATCH', '/config', { chatModels: ['gpt-6-luna'] });
    expect((await api.openai('/chat/completions', chatBody('hi'))).status).toBe(404);
    expect(
      (await api.openai('/chat/completions', chatBody('hi', { model: 'gpt-6-luna' }))).status,
    ).toBe(200);
  });

  it('cuts the answer at max_completion_tokens with finish_reason "length"', async () => {
    await api.script(OPENAI_KEY, { answer: { mode: 'fixed', text: 'x'.repeat(400) } });
    const reply = await api.openai(
      '/chat/completions',
      chatBody('hi', { max_completion_tokens: 16 }),
    );
    expect(field(reply.body, 'choices.0.finish_reason')).toBe('length');
    expect(field(reply.body, 'choices.0.message.content')).toHaveLength(64);
    expect(field(reply.body, 'usage.completion_tokens')).toBe(16);
  });

  it('refuses stream: true loudly instead of answering JSON', async () => {
    const reply = await api.openai('/chat/completions', chatBody('hi', { stream: true }));
    expect(reply.status).toBe(400);
    expect(field(reply.body, 'error.code')).toBe('sandbox_streaming_unsupported');
  });

  it('answers unknown paths (e.g. the removed Assistants API) and bad JSON in OpenAI’s shape', async () => {
    const gone = await api.openai('/assistants', { model: 'gpt-4o-mini' });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      error: {
        message: 'Invalid URL (POST /v1/assistants)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });

    const response = await fetch(`${handle.base}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OPENAI_KEY}` },
      body: '{"model": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('reads the spec from OPENAI_SPEC_PATH, and still answers (recording "not checked") when it is missing', async () => {
    const previous = process.env.OPENAI_SPEC_PATH;
    process.env.OPENAI_SPEC_PATH = '/nonexistent/openapi.json';
    try {
      const reply = await api.openai('/chat/completions', chatBody('hi'));
      expect(reply.status).toBe(200);
      const [call] = await api.calls();
      expect(call?.validation).toMatchObject({ checked: false });
      expect(call?.validation).toHaveProperty(
        'reason',
        expect.stringContaining('spec unavailable') as unknown,
      );
    } finally {
      if (previous === undefined) delete process.env.OPENAI_SPEC_PATH;
      else process.env.OPENAI_SPEC_PATH = previous;
    }
  });
});
