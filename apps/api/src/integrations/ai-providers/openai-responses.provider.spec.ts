import { type Response } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { type ProviderError } from './provider-error';
import { responseAnswer, userResponseMessage } from './openai-responses.provider';

function response(overrides: Partial<Response>): Response {
  return {
    id: 'resp_1',
    object: 'response',
    created_at: 0,
    model: 'gpt-6-luna',
    status: 'completed',
    error: null,
    incomplete_details: null,
    instructions: null,
    output: [],
    usage: {
      input_tokens: 10,
      output_tokens: 5,
      total_tokens: 15,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 0 },
    },
    ...overrides,
  } as Response;
}

function message(...texts: string[]): Response['output'][number] {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: texts.map((text) => ({ type: 'output_text', text, annotations: [] })),
  };
}

function thrown(run: () => unknown): ProviderError {
  try {
    run();
  } catch (error) {
    return error as ProviderError;
  }
  throw new Error('did not throw');
}

describe('responseAnswer', () => {
  it('joins output_text parts of message items, ignoring other items', () => {
    const answer = responseAnswer(
      response({
        output: [{ id: 'rs_1', type: 'reasoning', summary: [] }, message('Hello, ', 'world')],
      }),
      { model: 'gpt-6-luna', requestId: 'req_9' },
    );
    expect(answer).toEqual({
      text: 'Hello, world',
      model: 'gpt-6-luna',
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
      requestId: 'req_9',
    });
  });

  it('treats an incomplete response as empty_answer', () => {
    const error = thrown(() =>
      responseAnswer(
        response({
          status: 'incomplete',
          incomplete_details: { reason: 'max_output_tokens' },
          output: [message('Hel')],
        }),
        { model: 'gpt-6-luna' },
      ),
    );
    expect(error.errorClass).toBe('empty_answer');
    expect(error.message).toBe(
      'OpenAI: answer cut off (the token limit was reached; raise ?tokens=)',
    );
  });

  it('treats no text as empty_answer', () => {
    const error = thrown(() => responseAnswer(response({ output: [] }), { model: 'm' }));
    expect(error.errorClass).toBe('empty_answer');
  });

  it('maps a failed response to a server error with its reason', () => {
    const error = thrown(() =>
      responseAnswer(
        response({ status: 'failed', error: { code: 'server_error', message: 'model crashed' } }),
        { model: 'm' },
      ),
    );
    expect(error.errorClass).toBe('server');
    expect(error.message).toBe('OpenAI: response failed: model crashed');
    expect(error.code).toBe('server_error');
  });
});

describe('userResponseMessage', () => {
  it('sends text and images as input parts', () => {
    expect(
      userResponseMessage({
        text: 'What is this?',
        images: [{ dataUrl: 'data:image/png;base64,AAAA', mimeType: 'image/png' }],
      }),
    ).toEqual({
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'What is this?' },
        { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'auto' },
      ],
    });
  });
});
