import { type FastifyReply } from 'fastify';
import { type KommoAccount } from './types.js';

// Response helpers in Kommo's shapes (docs/kommo-contract.md §2.3, §4.1).

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export type Problem = { title: string; type: string; status: number; detail: string } & Record<
  string,
  unknown
>;

export type ValidationError = { code: string; path: string; detail: string };
/** One entry of `validation-errors`: the index of the item in the request and its errors. */
export type ValidationGroup = { request_id: string; errors: ValidationError[] };

export function problem(
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    title: TITLES[status] ?? 'Error',
    type: `https://httpstatus.es/${status}`,
    status,
    detail,
    ...extra,
  };
}

export function sendProblem(
  reply: FastifyReply,
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  return reply
    .code(status)
    .type('application/problem+json')
    .send(JSON.stringify(problem(status, detail, extra)));
}

/** 400 "Request validation failed" with Kommo's `validation-errors` list. */
export function sendValidation(reply: FastifyReply, groups: ValidationGroup[]): FastifyReply {
  return reply
    .code(400)
    .type('application/problem+json')
    .send(
      JSON.stringify({ 'validation-errors': groups, ...problem(400, 'Request validation failed') }),
    );
}

export const PROBLEM_401 = 'Invalid user name or password';
export const PROBLEM_EMPTY = 'Request data can not be empty';

export function sendUnauthorized(reply: FastifyReply): FastifyReply {
  return sendProblem(reply, 401, PROBLEM_401);
}

export function sendRateLimited(reply: FastifyReply, retryAfterSec: number): FastifyReply {
  reply.header('retry-after', String(retryAfterSec));
  return sendProblem(reply, 429, 'You have sent too many requests. Please, try again later', {
    retry_after: retryAfterSec,
  });
}

export function sendHal(reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  return reply.code(status).type('application/hal+json').send(JSON.stringify(body));
}

/** Kommo answers 204 with an empty body when a list has nothing in it. */
export function sendEmpty(reply: FastifyReply): FastifyReply {
  return reply.code(204).send();
}

/**
 * The token endpoint's error envelope (OAuthProblemJson). Russian wording on amoCRM hosts, as
 * observed; English on Kommo hosts.
 */
export function oauthProblem(
  hint: string,
  account?: KommoAccount,
  status = 400,
): Record<string, unknown> {
  const russian = account?.domain === 'amocrm.ru';
  return {
    hint,
    title: russian ? 'Некорректный запрос' : 'Bad request',
    type: 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson',
    status,
    detail: russian
      ? 'В запросе отсутствует ряд параметров или параметры невалидны'
      : 'The request is missing some parameters or they are invalid',
  };
}

export function sendOAuthProblem(
  reply: FastifyReply,
  hint: string,
  account?: KommoAccount,
  status = 400,
): FastifyReply {
  return reply
    .code(status)
    .type('application/json')
    .send(JSON.stringify(oauthProblem(hint, account, status)));
}
