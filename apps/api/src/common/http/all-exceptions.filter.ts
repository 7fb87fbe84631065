import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { type ApiError } from '@gpt-bridge/shared';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { AppError, type ErrorCategory } from '../errors/app-error';

/** The one table from an error's category to the HTTP status it is answered with. */
export const STATUS_OF_CATEGORY: Readonly<Record<ErrorCategory, number>> = {
  invalid_input: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unsupported_media_type: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  too_many_requests: HttpStatus.TOO_MANY_REQUESTS,
  internal: HttpStatus.INTERNAL_SERVER_ERROR,
  upstream_failed: HttpStatus.BAD_GATEWAY,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

const HIDDEN_MESSAGE = 'Something went wrong on our side; it has been logged.';

/**
 * Every error answer has the ApiError shape. An AppError is answered by its category's status
 * with its code and message; Nest's HTTP exceptions (guards, parse sites, routing) keep their
 * status and message; anything else, and an `internal` AppError, is logged and never shown.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const requestId = request.id;
    let body: ApiError & Details;
    // instanceof alone would type the code `any`.
    const known: AppError | null = exception instanceof AppError ? exception : null;
    if (known && known.category !== 'internal') {
      const status = STATUS_OF_CATEGORY[known.category];
      retryAfter(reply, known.retryAfterSec);
      body = {
        statusCode: status,
        error: HttpStatus[status] ?? 'Error',
        code: known.code,
        message: known.message,
        requestId,
        ...(known.problems ? { problems: known.problems } : {}),
      };
    } else if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      // A body built on purpose (terminus's health report) goes out as it is.
      if (typeof response === 'object' && !('message' in response)) {
        void reply.status(status).send(response);
        return;
      }
      const message = messageOf(response, exception.message);
      body = {
        statusCode: status,
        error: HttpStatus[status] ?? 'Error',
        message,
        requestId,
        ...detailsOf(response),
      };
    } else {
      this.logger.error({ err: exception, requestId }, 'unhandled error');
      body = {
        statusCode: 500,
        error: 'INTERNAL_SERVER_ERROR',
        message: HIDDEN_MESSAGE,
        requestId,
      };
    }
    void reply.status(body.statusCode).send(body);
  }
}

type Details = { code?: string; problems?: string[] };

// A refusal that names what was wrong (ZodPipe's `invalid_input`) keeps its code and its list of
// problems, which the widget shows one per line.
function detailsOf(response: string | object): Details {
  if (typeof response === 'string') return {};
  const { code, problems } = response as { code?: unknown; problems?: unknown };
  const details: Details = {};
  if (typeof code === 'string') details.code = code;
  if (Array.isArray(problems) && problems.every((p) => typeof p === 'string')) {
    details.problems = problems;
  }
  return details;
}

// A refusal that says when to come back says it in the header too.
function retryAfter(reply: FastifyReply, seconds: number | undefined): void {
  if (seconds !== undefined) void reply.header('retry-after', String(Math.max(1, seconds)));
}

// Nest's own bodies carry `message` as a string or, from validation, a list of strings.
function messageOf(response: string | object, fallback: string): string {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : fallback;
}
