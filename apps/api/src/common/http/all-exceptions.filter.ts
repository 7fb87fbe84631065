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

/** Every error answer has the ApiError shape; unexpected errors are logged, never shown. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const requestId = request.id;
    let body: ApiError & Details;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // A refusal that says when to come back (OverClientBudget) says it in the header too.
      const retryAfterSec = (exception as { retryAfterSec?: unknown }).retryAfterSec;
      if (typeof retryAfterSec === 'number') {
        void reply.header('retry-after', String(Math.max(1, retryAfterSec)));
      }
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
        message: 'Something went wrong on our side; it has been logged.',
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

// Nest's own bodies carry `message` as a string or, from validation, a list of strings.
function messageOf(response: string | object, fallback: string): string {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : fallback;
}
