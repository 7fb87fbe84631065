import {
  ProviderSettingsInputSchema,
  TestConsoleInputSchema,
  UsageQuerySchema,
  WebhookKindSchema,
} from '@gpt-bridge/shared';
import { type ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { type z } from 'zod';
import { type InvalidInput, ZodPipe } from './zod-validation.pipe';

const body: ArgumentMetadata = { type: 'body' };
const query: ArgumentMetadata = { type: 'query' };
const param = (name: string): ArgumentMetadata => ({ type: 'param', data: name });

/** The 400's body, or a failure when the pipe let the value through. */
function refusal(schema: z.ZodType, value: unknown, metadata: ArgumentMetadata): InvalidInput {
  try {
    new ZodPipe(schema).transform(value, metadata);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    const exception = error as BadRequestException;
    expect(exception.getStatus()).toBe(400);
    return exception.getResponse() as InvalidInput;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

describe('ZodPipe', () => {
  it("hands the handler the schema's output: transforms applied, unknown keys dropped", () => {
    const input = new ZodPipe(TestConsoleInputSchema).transform(
      { kind: 'chatgpt', prompt: '  Hello  ', installationId: 'someone-else' },
      body,
    );
    expect(input).toEqual({ kind: 'chatgpt', prompt: 'Hello' });
  });

  it('refuses with one body shape: a code, one "where: what" per problem, and their join', () => {
    const answer = refusal(
      ProviderSettingsInputSchema,
      { openaiApiKey: 'short', assistant: { provider: 'nope' } },
      body,
    );
    expect(answer.code).toBe('invalid_input');
    expect(answer.problems).toHaveLength(2);
    expect(answer.problems[0]).toMatch(/^openaiApiKey: the key looks too short$/);
    expect(answer.problems[1]).toMatch(/^assistant\.provider: /);
    expect(answer.message).toBe(answer.problems.join('; '));
  });

  it('never echoes the value it refused', () => {
    const secret = 'sk-secret-value-that-is-far-too-long-'.repeat(20);
    const answer = refusal(ProviderSettingsInputSchema, { openaiApiKey: secret }, body);
    expect(JSON.stringify(answer)).not.toContain('sk-secret-value');
    expect(answer.problems).toEqual([expect.stringMatching(/^openaiApiKey: /)]);
  });

  it('names a problem with the whole input after the input itself', () => {
    expect(refusal(TestConsoleInputSchema, undefined, body).problems).toEqual([
      expect.stringMatching(/^body: .*expected object/),
    ]);
    expect(refusal(TestConsoleInputSchema, ['chatgpt'], body).problems).toEqual([
      expect.stringMatching(/^body: /),
    ]);
  });

  it('names a path parameter after its name', () => {
    expect(new ZodPipe(WebhookKindSchema).transform('assistant', param('kind'))).toBe('assistant');
    expect(refusal(WebhookKindSchema, 'other', param('kind'))).toEqual({
      code: 'invalid_input',
      message: 'kind: must be chatgpt or assistant',
      problems: ['kind: must be chatgpt or assistant'],
    });
  });

  it('reads a query as an object: absent names stay absent, a bad value is named', () => {
    expect(new ZodPipe(UsageQuerySchema).transform({}, query)).toEqual({});
    expect(new ZodPipe(UsageQuerySchema).transform({ month: '2026-11' }, query)).toEqual({
      month: '2026-11',
    });
    for (const month of ['2026-13', '2026-1', '', '2026-11-01']) {
      expect(refusal(UsageQuerySchema, { month }, query).message, month).toBe(
        'month: must look like 2026-11',
      );
    }
  });

  it('reads a query object without a prototype, as Fastify makes them', () => {
    const fromFastify = Object.assign(Object.create(null) as object, { month: '2026-02' });
    expect(new ZodPipe(UsageQuerySchema).transform(fromFastify, query)).toEqual({
      month: '2026-02',
    });
  });
});
