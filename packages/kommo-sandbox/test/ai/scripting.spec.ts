import { describe, expect, it } from 'vitest';
import { buildSandbox } from '../../src/server.js';
import { validateOpenAi } from '../../src/ai/spec-validator.js';
import { chatBody, client, field, OPENAI_KEY, useSandbox } from './helpers.js';

describe('scripting the fake providers', () => {
  const handle = useSandbox();
  const api = client(handle);
  const chat = (text = 'hi', key = OPENAI_KEY) =>
    api.openai('/chat/completions', chatBody(text), key);
  const content = async (text: string) =>
    field((await chat(text)).body, 'choices.0.message.content');

  it('fails the next 2 calls with 429 + Retry-After + x-ratelimit-* headers, then succeeds', async () => {
    await api.control('POST', `/scripts/${OPENAI_KEY}/failures`, {
      failures: [{ kind: 'rate_limit', times: 2, retryAfterSeconds: 3 }],
    });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const reply = await chat();
      expect(reply.status).toBe(429);
      expect(reply.headers.get('retry-after')).toBe('3');
      expect(reply.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(reply.headers.get('x-ratelimit-reset-requests')).toBe('3s');
      expect(reply.headers.get('x-ratelimit-limit-requests')).toBeTruthy();
      expect(field(reply.body, 'error')).toMatchObject({
        type: 'requests',
        code: 'rate_limit_exceeded',
        param: null,
      });
      expect(validateOpenAi('ErrorResponse', reply.body).result).toMatchObject({ valid: true });
    }
    expect((await chat()).status).toBe(200);
    const calls = await api.calls();
    expect(calls.map((call) => [call.status, call.failure])).toEqual([
      [429, 'rate_limit'],
      [429, 'rate_limit'],
      [200, null],
    ]);
  });

  it('serves insufficient_quota as a 429 without Retry-After, with an overridable code', async () => {
    await api.script(OPENAI_KEY, {
      failures: [
        { kind: 'insufficient_quota' },
        { kind: 'insufficient_quota', code: 'credit_balance_exhausted' },
      ],
    });
    const first = await chat();
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBeNull();
    expect(field(first.body, 'error')).toMatchObject({
      type: 'insufficient_quota',
      code: 'insufficient_quota',
    });
    expect(field((await chat()).body, 'error.code')).toBe('credit_balance_exhausted');
  });

  it('serves invalid_api_key 401, model_not_found 404, server_error 500, overloaded 503 and custom', async () => {
    await api.script(OPENAI_KEY, {
      failures: [
        { kind: 'invalid_api_key' },
        { kind: 'model_not_found' },
        { kind: 'server_error' },
        { kind: 'overloaded', retryAfterSeconds: 2 },
        { kind: 'custom', status: 418, body: { teapot: true }, headers: { 'x-custom': 'yes' } },
      ],
    });
    const unauthorized = await chat();
    expect(unauthorized.status).toBe(401);
    expect(field(unauthorized.body, 'error')).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
    const missing = await chat();
    expect(missing.status).toBe(404);
    expect(field(missing.body, 'error')).toMatchObject({
      code: 'model_not_found',
      message: 'The model `gpt-4o-mini` does not exist or you do not have access to it.',
    });
    const broken = await chat();
    expect(broken.status).toBe(500);
    expect(field(broken.body, 'error')).toMatchObject({
      type: 'server_error',
      code: null,
      param: null,
    });
    const overloaded = await chat();
    expect(overloaded.status).toBe(503);
    expect(overloaded.headers.get('retry-after')).toBe('2');
    const custom = await chat();
    expect(custom.status).toBe(418);
    expect(custom.body).toEqual({ teapot: true });
    expect(custom.headers.get('x-custom')).toBe('yes');
  });

  it('does not consume scripted failures on calls refused for auth', async () => {
    await api.script(OPENAI_KEY, { failures: [{ kind: 'server_error' }] });
    expect((await chat('hi', 'sk-wrong')).status).toBe(401);
    expect((await chat()).status).toBe(500);
  });

  it('hangs until the client gives up, and the hung request is released', async () => {
    await api.script(OPENAI_KEY, { failures: [{ kind: 'hang' }] });
    const controller = new AbortController();
    const pending = fetch(`${handle.base}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OPENAI_KEY}` },
      body: JSON.stringify(chatBody('hi')),
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(field<number>((await api.control('GET', '/')).body, 'hung')).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect
      .poll(async () => field<number>((await api.control('GET', '/')).body, 'hung'))
      .toBe(0);
    expect((await api.calls())[0]).toMatchObject({ outcome: 'hang', status: null });
    expect((await chat()).status).toBe(200);
  });

  it('releases hung requests when the server closes', async () => {
    const { app } = buildSandbox();
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    await fetch(`${base}/_sandbox/ai/scripts/*`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failures: [{ kind: 'hang' }] }),
    });
    const pending = fetch(`${base}/dify/v1/chat-messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer app-test-x' },
      body: JSON.stringify({ query: 'hi', inputs: {}, user: 'u' }),
    });
    const settled = pending.then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await settled).toBe('dropped');
  });

  it('does not let a long scripted latency hold up server close', async () => {
    const { app } = buildSandbox();
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    await fetch(`${base}/_sandbox/ai/scripts/*`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 600_000 }),
    });
    const settled = fetch(`${base}/chatbase/api/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer cb-test-x' },
      body: JSON.stringify({ chatbotId: 'agent-x', messages: [{ role: 'user', content: 'hi' }] }),
    }).then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await settled).toBe('dropped');
  });

  it('waits the scripted latency on the sandbox clock (advanced by hand)', async () => {
    const { app, context } = buildSandbox();
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await fetch(`${base}/_sandbox/ai/scripts/openai`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ latencyMs: 60_000 }),
      });
      let done = false;
      const pending = fetch(`${base}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${OPENAI_KEY}` },
        body: JSON.stringify(chatBody('slow')),
      }).then((response) => {
        done = true;
        return response;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(done).toBe(false);
      context.clock.advance(60_000);
      const response = await pending;
      expect(response.status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('waits the scripted latency in virtual time on a fast clock', async () => {
    const { app, context } = buildSandbox({ speed: 1000 });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await fetch(`${base}/_sandbox/ai/scripts/${OPENAI_KEY}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ latencyMs: 20_000 }),
      });
      const virtualStart = context.clock.now();
      const realStart = Date.now();
      const response = await fetch(`${base}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${OPENAI_KEY}` },
        body: JSON.stringify(chatBody('fast')),
      });
      expect(response.status).toBe(200);
      expect(context.clock.now() - virtualStart).toBeGreaterThanOrEqual(20_000);
      expect(Date.now() - realStart).toBeLessThan(2_000);
    } finally {
      await app.close();
    }
  });

  it('answers fixed text with {{last}}/{{turn}} templates', async () => {
    await api.script(OPENAI_KEY, {
      answer: { mode: 'fixed', text: 'Turn {{turn}}: got "{{last}}"' },
    });
    expect(await content('hola')).toBe('Turn 1: got "hola"');
  });

  it('maps keywords and regexes in the user message to intents, with a default', async () => {
    await api.script(OPENAI_KEY, {
      answer: {
        mode: 'intent',
        rules: [
          { keywords: ['atendente', 'human'], answer: '#Attendant' },
          { pattern: 'reuni(ã|a)o|meeting', answer: '#Meeting' },
          { pattern: '^(oi|olá|hello)[\\s,!.]', answer: '#Greeting' },
        ],
        default: '#General',
      },
    });
    expect(await content('Quero falar com um ATENDENTE')).toBe('#Attendant');
    expect(await content('podemos marcar uma reuniao?')).toBe('#Meeting');
    expect(await content('Olá, tudo bem')).toBe('#Greeting');
    expect(await content('qual o preço?')).toBe('#General');
  });

  it('takes each field from the most specific script (key over provider over *)', async () => {
    await api.script('*', { answer: { mode: 'fixed', text: 'global' }, latencyMs: 0 });
    await api.script('openai', { answer: { mode: 'fixed', text: 'openai default' } });
    expect(await content('x')).toBe('openai default');
    await api.script(OPENAI_KEY, { failures: [] });
    expect(await content('x')).toBe('openai default');
    await api.script(OPENAI_KEY, { answer: { mode: 'echo' } });
    expect(await content('x')).toBe('Echo: x');
    const dify = await api.dify({ query: 'q', inputs: {}, user: 'u' });
    expect(field(dify.body, 'answer')).toBe('global');
  });
});
