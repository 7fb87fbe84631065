import { StepError } from '../conditions.js';
import { type Flow, type HandlerContext, type HandlerFn, NEXT } from '../engine-types.js';
import { encodeBody } from '../http-post.js';
import { record } from './messages.js';

/**
 * The classic "Send webhook" step (`{"handler": "webhook", "params": {"url": ...}}`, also
 * `send_webhook` and `action` name `webhook`). Kommo does not document the payload. Production
 * handlers of it read a PHP-style form that names the lead, its stage and the account, and nothing
 * else (docs/kommo-contract.md §1): `leads[add][0][id|status_id|pipeline_id]`, `account[id]`,
 * `account[subdomain]`. That is the default here; the `rich` setting sends what Kommo's account
 * webhooks send instead (the lead with its filled fields and tags under `leads[update][0]`).
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
  const body = ctx.settings.webhookBody === 'rich' ? richBody(ctx, lead) : observedBody(ctx, lead);
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

type Lead = NonNullable<ReturnType<HandlerContext['crm']['readLead']>>;

function observedBody(ctx: HandlerContext, lead: Lead): Record<string, unknown> {
  return {
    leads: {
      add: [{ id: lead.id, status_id: lead.statusId ?? '', pipeline_id: lead.pipelineId ?? '' }],
    },
    account: { id: ctx.account.id, subdomain: ctx.account.subdomain },
  };
}

function richBody(ctx: HandlerContext, lead: Lead): Record<string, unknown> {
  const fields = ctx.crm.describeFields(ctx.run.leadId).filter((field) => field.value !== '');
  return {
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
}

export const webhook: HandlerFn = (ctx, params) => sendWebhook(ctx, record(params));
