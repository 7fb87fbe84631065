import { describe, expect, it } from 'vitest';
import { validateOpenAi } from '../../src/ai/spec-validator.js';
import { anyNumber, client, field, useSandbox } from './helpers.js';

function outputText(body: unknown): string {
  const output = field<{ content: { type: string; text: string }[] }[]>(body, 'output');
  return output
    .flatMap((item) => item.content)
    .filter((part) => part.type === 'output_text')
    .map((part) => part.text)
    .join('');
}

describe('fake OpenAI Responses and Conversations', () => {
  const handle = useSandbox();
  const api = client(handle);

  it('answers a string input with output items, usage and a spec-valid Response', async () => {
    const reply = await api.openai('/responses', {
      model: 'gpt-6-luna',
      instructions: 'Classify the intent.',
      input: 'Hola!',
      max_output_tokens: 800,
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'gpt-6-luna',
      instructions: 'Classify the intent.',
      output: [{ type: 'message', role: 'assistant', status: 'completed' }],
      usage: { input_tokens: anyNumber, output_tokens: anyNumber },
    });
    expect(outputText(reply.body)).toBe('Echo: Hola!');
    expect(field(reply.body, 'id')).toMatch(/^resp_/);
    // output_text is an SDK convenience and is not sent on the wire…
    expect(reply.body).not.toHaveProperty('output_text');
    expect(validateOpenAi('Response', reply.body).result).toMatchObject({
      valid: true,
      errors: [],
    });
    const [call] = await api.calls('?endpoint=responses');
    expect(call?.validation).toMatchObject({
      checked: true,
      valid: true,
      schema: 'CreateResponse',
    });
  });

  it('adds output_text when the config asks for it', async () => {
    await api.control('PATCH', '/config', { responsesOutputText: true });
    const reply = await api.openai('/responses', { model: 'gpt-4o-mini', input: 'hi' });
    expect(field(reply.body, 'output_text')).toBe('Echo: hi');
  });

  it('accepts input items with text and image parts', async () => {
    const reply = await api.openai('/responses', {
      model: 'gpt-4o-mini',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Describe this' },
            { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' },
          ],
        },
      ],
    });
    expect(reply.status).toBe(200);
    expect(outputText(reply.body)).toBe('Echo: Describe this [images: 1]');
  });

  it('flags an input_image without detail: the spec requires it', async () => {
    const reply = await api.openai('/responses', {
      model: 'gpt-4o-mini',
      input: [
        {
          role: 'user',
          content: [{ type: 'input_image', image_url: 'https://example.com/a.png' }],
        },
      ],
    });
    expect(reply.status).toBe(400);
    const [call] = await api.calls();
    expect(call?.validation).toMatchObject({ valid: false });
  });

  it('rejects a request without model', async () => {
    const reply = await api.openai('/responses', { input: 'hi' });
    expect(reply.status).toBe(400);
    expect(field(reply.body, 'error')).toMatchObject({
      type: 'invalid_request_error',
      param: 'model',
    });
  });

  it('creates and retrieves a conversation, and remembers earlier turns through it', async () => {
    const created = await api.openai('/conversations', { metadata: { lead: '42' } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ object: 'conversation', metadata: { lead: '42' } });
    expect(validateOpenAi('ConversationResource', created.body).result).toMatchObject({
      valid: true,
    });
    const conversation = field(created.body, 'id');
    expect(conversation).toMatch(/^conv_/);

    const fetched = await api.openai(`/conversations/${conversation}`, undefined, undefined, 'GET');
    expect(fetched.body).toMatchObject({ id: conversation, object: 'conversation' });

    const first = await api.openai('/responses', {
      model: 'gpt-4o-mini',
      conversation,
      input: 'I want a meeting',
    });
    expect(outputText(first.body)).toBe('Echo: I want a meeting');
    expect(field(first.body, 'conversation.id')).toBe(conversation);

    const second = await api.openai('/responses', {
      model: 'gpt-4o-mini',
      conversation: { id: conversation },
      instructions: 'not stored',
      input: [{ type: 'message', role: 'user', content: 'tomorrow at 10' }],
    });
    expect(outputText(second.body)).toBe(
      'Echo: tomorrow at 10 (turn 2, previous: I want a meeting)',
    );

    const items = await api.openai(
      `/conversations/${conversation}/items?order=asc`,
      undefined,
      undefined,
      'GET',
    );
    const data = field<{ role: string }[]>(items.body, 'data');
    expect(data.map((item) => item.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(validateOpenAi('ConversationItemList', items.body).result).toMatchObject({
      valid: true,
    });
  });

  it('pages conversation items after an item, and keeps the ids of the response output', async () => {
    const created = await api.openai('/conversations', {});
    const conversation = field<string>(created.body, 'id');
    const ask = (input: string) =>
      api.openai('/responses', { model: 'gpt-4o-mini', conversation, input });
    const first = await ask('one');
    const outputId = field<{ id: string }[]>(first.body, 'output')[0]?.id;
    await ask('two');
    const list = (query: string) =>
      api.openai(`/conversations/${conversation}/items?${query}`, undefined, undefined, 'GET');

    // What a retry reads: the items after the first turn's answer, oldest first.
    const after = await list(`order=asc&after=${outputId}&limit=100`);
    const data = field<{ id: string; role: string }[]>(after.body, 'data');
    expect(data.map((item) => item.role)).toEqual(['user', 'assistant']);
    expect(field(after.body, 'has_more')).toBe(false);
    expect(validateOpenAi('ConversationItemList', after.body).result).toMatchObject({
      valid: true,
    });
    const all = await list('order=asc');
    expect(field<{ id: string }[]>(all.body, 'data')[1]?.id).toBe(outputId);

    const newest = await list('limit=1');
    expect(field<{ role: string }[]>(newest.body, 'data').map((item) => item.role)).toEqual([
      'assistant',
    ]);
    expect(field(newest.body, 'has_more')).toBe(true);
    expect((await list('after=msg_unknown')).status).toBe(404);
    expect((await list('limit=0')).status).toBe(400);
  });

  it('seeds a conversation with initial items', async () => {
    const created = await api.openai('/conversations', {
      items: [{ type: 'message', role: 'user', content: 'earlier question' }],
    });
    const reply = await api.openai('/responses', {
      model: 'gpt-4o-mini',
      conversation: field(created.body, 'id'),
      input: 'now',
    });
    expect(outputText(reply.body)).toBe('Echo: now (turn 2, previous: earlier question)');
  });

  it('chains turns with previous_response_id and refuses it together with conversation', async () => {
    const first = await api.openai('/responses', { model: 'gpt-4o-mini', input: 'one' });
    const second = await api.openai('/responses', {
      model: 'gpt-4o-mini',
      previous_response_id: field(first.body, 'id'),
      input: 'two',
    });
    expect(outputText(second.body)).toBe('Echo: two (turn 2, previous: one)');

    const created = await api.openai('/conversations', {});
    const both = await api.openai('/responses', {
      model: 'gpt-4o-mini',
      conversation: field(created.body, 'id'),
      previous_response_id: field(first.body, 'id'),
      input: 'x',
    });
    expect(both.status).toBe(400);
    expect(field(both.body, 'error.param')).toBe('previous_response_id');
  });

  it('answers 404 for an unknown conversation, in Responses and Conversations', async () => {
    const viaResponses = await api.openai('/responses', {
      model: 'gpt-4o-mini',
      conversation: 'conv_nope',
      input: 'x',
    });
    expect(viaResponses.status).toBe(404);
    expect(viaResponses.body).toMatchObject({
      error: {
        message: "Conversation with id 'conv_nope' not found.",
        type: 'invalid_request_error',
      },
    });
    const direct = await api.openai('/conversations/conv_nope', undefined, undefined, 'GET');
    expect(direct.status).toBe(404);
  });

  it('deletes a conversation', async () => {
    const created = await api.openai('/conversations', {});
    const id = field(created.body, 'id');
    const deleted = await api.openai(`/conversations/${id}`, undefined, undefined, 'DELETE');
    expect(deleted.body).toEqual({ id, object: 'conversation.deleted', deleted: true });
    expect((await api.openai(`/conversations/${id}`, undefined, undefined, 'GET')).status).toBe(
      404,
    );
  });

  it('marks a response incomplete when max_output_tokens cuts it', async () => {
    await api.script('openai', { answer: { mode: 'fixed', text: 'y'.repeat(200) } });
    const reply = await api.openai('/responses', {
      model: 'gpt-4o-mini',
      input: 'x',
      max_output_tokens: 16,
    });
    expect(reply.body).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
    expect(outputText(reply.body)).toHaveLength(64);
  });
});
