import { StepError } from '../conditions.js';
import { type Flow, type HandlerContext, type HandlerFn, NEXT } from '../engine-types.js';
import { encodeBody } from '../http-post.js';
import { record } from './messages.js';

/**
 * The classic "Send webhook" step (`{"handler": "webhook", "params": {"url": ...}}`, also
 * `send_webhook` and `action` name `webhook`). Kommo does not document the payload; the sandbox
 * sends what its account webhooks send: a PHP-style form of the lead,
 * `leads[update][0][id]=…&leads[update][0][custom_fields][0][values][0][value]=…&account[subdomain]=…`.
 * A receiver that fails is recorded, and the bot goes on: the step does not wait for an answer.
 */
export async function sendWebhook(
  ctx: HandlerContext,
  params: Record<string, unknown>,
): Promise<Flow> {
  const url = ctx.render(params.url);
  if (!/^https?:\/\//.test(url)) throw new StepError('webhook needs an http(s) params.url');
  const lead = ctx.crm.readLead(ctx.run.leadId);
  if (!lead) throw new StepError(`lead ${ctx.run.leadId} no longer exists`);
  const fields = ctx.crm.describeFields(ctx.run.leadId).filter((field) => field.value !== '');
  const body = {
    leads: {
      update: [
        {
          id: lead.id,
          name: lead.name,
          status_id: lead.statusId ?? '',
          pipeline_id: lead.pipelineId ?? '',
          price: lead.price,
          responsible_user_id: lead.responsibleUserId ?? '',
          account_id: ctx.account.id,
          custom_fields: fields.map((field) => ({
            id: field.id,
            name: field.name,
            values: [{ value: field.value }],
          })),
          tags: lead.tags.map((name) => ({ name })),
        },
      ],
    },
    account: {
      id: ctx.account.id,
      subdomain: ctx.account.subdomain,
      _links: { self: ctx.account.url },
    },
  };
  const result = await ctx.guard(
    ctx.http(url, encodeBody(body, 'form'), ctx.settings.ackTimeoutMs),
  );
  const ok = result.ok && result.status >= 200 && result.status < 300;
  const outcome = result.ok ? `HTTP ${result.status}` : result.error;
  ctx.record(ok ? 'http' : 'error', `webhook POST ${url}: ${outcome} in ${result.elapsedMs} ms`, {
    detail: { url, status: result.ok ? result.status : null },
  });
  return NEXT;
}

export const webhook: HandlerFn = (ctx, params) => sendWebhook(ctx, record(params));
