import { type FastifyReply } from 'fastify';
import { PROBLEM_EMPTY, sendProblem, sendValidation } from '../problems.js';

const isEmpty = (body: unknown): boolean =>
  body === undefined ||
  body === null ||
  body === '' ||
  (Array.isArray(body) && body.length === 0) ||
  (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);

/** The items of a batch body (a JSON array of objects), or undefined after answering 400. */
export function batchBody(
  reply: FastifyReply,
  body: unknown,
  max = 250,
): Record<string, unknown>[] | undefined {
  if (isEmpty(body)) {
    void sendProblem(reply, 400, PROBLEM_EMPTY);
    return undefined;
  }
  if (!Array.isArray(body)) {
    void sendValidation(reply, [
      {
        request_id: '0',
        errors: [{ code: 'InvalidType', path: '', detail: 'This value should be of type array.' }],
      },
    ]);
    return undefined;
  }
  if (body.length > max) {
    void sendProblem(reply, 400, `Limit ${max} entities per request`);
    return undefined;
  }
  const bad = body.findIndex(
    (item: unknown) => typeof item !== 'object' || item === null || Array.isArray(item),
  );
  if (bad >= 0) {
    void sendValidation(reply, [
      {
        request_id: String(bad),
        errors: [{ code: 'InvalidType', path: '', detail: 'This value should be of type object.' }],
      },
    ]);
    return undefined;
  }
  return body as Record<string, unknown>[];
}

/** A single-object body, or undefined after answering 400. */
export function objectBody(
  reply: FastifyReply,
  body: unknown,
): Record<string, unknown> | undefined {
  if (isEmpty(body)) {
    void sendProblem(reply, 400, PROBLEM_EMPTY);
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    void sendValidation(reply, [
      {
        request_id: '0',
        errors: [{ code: 'InvalidType', path: '', detail: 'This value should be of type object.' }],
      },
    ]);
    return undefined;
  }
  return body as Record<string, unknown>;
}

/** A positive integer route parameter, or undefined. */
export function idParam(params: unknown, name = 'id'): number | undefined {
  const raw = (params as Record<string, string | undefined>)[name];
  const id = Number(raw);
  return Number.isInteger(id) && id > 0 ? id : undefined;
}
