import { type ArgumentsHost, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError, ERROR_CATEGORIES, type ErrorCategory } from '../errors/app-error';
import { AllExceptionsFilter, STATUS_OF_CATEGORY } from './all-exceptions.filter';

class TestError extends AppError<'test_code'> {
  constructor(category: ErrorCategory, message: string, retryAfterSec?: number) {
    super('test_code', category, message, retryAfterSec === undefined ? {} : { retryAfterSec });
  }
}

type Answer = { status?: number; body?: unknown; headers: Record<string, string> };

/** Runs the filter on one exception and returns what it answered. */
function answer(exception: unknown): Answer {
  const result: Answer = { headers: {} };
  const reply = {
    status(code: number) {
      result.status = code;
      return reply;
    },
    header(name: string, value: string) {
      result.headers[name] = value;
      return reply;
    },
    send(body: unknown) {
      result.body = body;
      return reply;
    },
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ id: 'req-1' }) }),
  } as unknown as ArgumentsHost;
  new AllExceptionsFilter().catch(exception, host);
  return result;
}

describe('AllExceptionsFilter', () => {
  afterEach(() => vi.restoreAllMocks());

  const EXPECTED: Record<ErrorCategory, [number, string]> = {
    invalid_input: [400, 'BAD_REQUEST'],
    unauthenticated: [401, 'UNAUTHORIZED'],
    forbidden: [403, 'FORBIDDEN'],
    not_found: [404, 'NOT_FOUND'],
    conflict: [409, 'CONFLICT'],
    unsupported_media_type: [415, 'UNSUPPORTED_MEDIA_TYPE'],
    too_many_requests: [429, 'TOO_MANY_REQUESTS'],
    internal: [500, 'INTERNAL_SERVER_ERROR'],
    upstream_failed: [502, 'BAD_GATEWAY'],
    unavailable: [503, 'SERVICE_UNAVAILABLE'],
  };

  it('has one status for every category', () => {
    expect(Object.keys(STATUS_OF_CATEGORY).sort()).toEqual([...ERROR_CATEGORIES].sort());
  });

  it.each(ERROR_CATEGORIES.filter((c) => c !== 'internal'))(
    'answers a %s AppError with its status, code and message',
    (category) => {
      const [status, error] = EXPECTED[category];
      const result = answer(new TestError(category, 'readable reason'));
      expect(result.status).toBe(status);
      expect(result.body).toEqual({
        statusCode: status,
        error,
        code: 'test_code',
        message: 'readable reason',
        requestId: 'req-1',
      });
      expect(result.headers).toEqual({});
    },
  );

  it('says when to come back in Retry-After (at least 1 s)', () => {
    expect(answer(new TestError('too_many_requests', 'slow down', 42)).headers).toEqual({
      'retry-after': '42',
    });
    expect(answer(new TestError('unavailable', 'busy', 0)).headers).toEqual({
      'retry-after': '1',
    });
  });

  it.each([
    ['an unknown error', new Error('password=hunter2 at db:5432')],
    ['an internal AppError', new TestError('internal', 'password=hunter2 at db:5432')],
    ['a thrown string', 'password=hunter2'],
  ])('answers %s 500 without its message, and logs it', (_, exception) => {
    const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const result = answer(exception);
    expect(result.status).toBe(500);
    expect(result.body).toEqual({
      statusCode: 500,
      error: 'INTERNAL_SERVER_ERROR',
      message: 'Something went wrong on our side; it has been logged.',
      requestId: 'req-1',
    });
    expect(JSON.stringify(result.body)).not.toContain('hunter2');
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it("keeps a Nest HTTP exception's status and message (guards, parse sites)", () => {
    const result = answer(new NotFoundException('no such thing'));
    expect(result.status).toBe(404);
    expect(result.body).toEqual({
      statusCode: 404,
      error: 'NOT_FOUND',
      message: 'no such thing',
      requestId: 'req-1',
    });
  });

  it('sends a body built on purpose as it is (the health report)', () => {
    const report = { status: 'error', info: {}, error: { redis: { status: 'down' } } };
    const result = answer(new HttpException(report, 503));
    expect(result.status).toBe(503);
    expect(result.body).toEqual(report);
  });
});
