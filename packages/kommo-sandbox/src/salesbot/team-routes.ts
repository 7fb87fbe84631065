import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../context.js';
import { type KommoAccount } from '../kommo/index.js';
import { isRecord } from './bot-schema.js';
import { type Salesbot } from './salesbot.js';

/**
 * `POST /_sandbox/chats/:leadId/team-message {text, user_id?, account?}`: a user of the account
 * writes in the lead's chat, as from Kommo's chat window (issue 22). The user defaults to the
 * lead's responsible user; `account` (id, subdomain or host) is optional since lead ids are unique
 * in the sandbox. The message goes into the transcript as `team`, the account webhooks report it
 * (docs/kommo-contract.md §8.1.2) and, with `stop_on_team_message`, the lead's bot stops (§8.3).
 */
export function registerTeamRoutes(
  app: FastifyInstance,
  context: SandboxContext,
  salesbot: Salesbot,
): void {
  app.post('/_sandbox/chats/:leadId/team-message', async (request, reply) => {
    const input = isRecord(request.body) ? request.body : {};
    const leadId = Number((request.params as { leadId: string }).leadId);
    const account = leadAccount(context, leadId, input.account);
    if (!account) return reply.code(404).send({ error: 'lead not found' });
    if (typeof input.text !== 'string' || input.text.trim() === '') {
      return reply.code(400).send({ error: 'text is required' });
    }
    const rawUser = input.user_id ?? input.userId;
    const userId =
      rawUser === undefined || rawUser === null || rawUser === ''
        ? context.kommo.getLead(account.id, leadId)?.responsible_user_id
        : Number(rawUser);
    const user = account.users.find((candidate) => candidate.id === userId);
    if (!user) {
      return reply
        .code(400)
        .send({ error: `user ${JSON.stringify(rawUser ?? userId)} is not in the account` });
    }
    const { entry, stopped } = salesbot.engine.teamMessage(account.id, leadId, input.text, user);
    return reply.send({
      account_id: account.id,
      lead_id: leadId,
      user: { id: user.id, name: user.name },
      entry,
      stopped_bot: stopped,
    });
  });
}

function leadAccount(
  context: SandboxContext,
  leadId: number,
  ref: unknown,
): KommoAccount | undefined {
  if (!Number.isInteger(leadId) || leadId <= 0) return undefined;
  const candidates =
    typeof ref === 'string' || typeof ref === 'number'
      ? [context.kommo.findAccount(ref)].filter((a): a is KommoAccount => a !== undefined)
      : context.kommo.listAccounts();
  return candidates.find((account) => context.kommo.getLead(account.id, leadId) !== undefined);
}
