import { type FastifyReply } from 'fastify';
import { type BudgetedRoute, type ClientBudget } from './client-budget';

/**
 * For the plain Fastify routes that a URL token authenticates (salesbot webhooks, Kommo's account
 * events): an unknown token counts against the caller's address, and past the budget the answer
 * is a 429 with Retry-After instead of the 404. Null while within the budget. `what` names the
 * URLs in the message ("webhook", "event").
 */
export async function overUnknownTokenBudget(
  budget: ClientBudget,
  route: BudgetedRoute,
  ip: string,
  reply: FastifyReply,
  what: string,
): Promise<FastifyReply | null> {
  const retryAfterSec = await budget.take(route, ip);
  if (retryAfterSec === null) return null;
  return reply
    .code(429)
    .header('retry-after', String(retryAfterSec))
    .send({
      error: 'too_many_requests',
      message: `Too many unknown ${what} URLs from this address. Try again in ${retryAfterSec} s.`,
      retryAfter: retryAfterSec,
    });
}
