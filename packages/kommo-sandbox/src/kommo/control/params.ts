import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type SandboxContext } from '../../context.js';
import { accountBaseUrl } from '../addressing.js';
import { type KommoAccount } from '../types.js';

/** Finds `:account` (id, subdomain or host) or answers 404. */
export function accountParam(
  context: SandboxContext,
  request: FastifyRequest,
  reply: FastifyReply,
): KommoAccount | undefined {
  const ref = (request.params as Record<string, string>).account ?? '';
  const account = context.kommo.findAccount(ref);
  if (!account) void reply.code(404).send({ error: `account ${ref} not found` });
  return account;
}

export function describeAccount(
  context: SandboxContext,
  account: KommoAccount,
): Record<string, unknown> {
  return { ...account, base_url: accountBaseUrl(context, account) };
}
