import { isRecord } from '../bot-schema.js';
import { StepError } from '../conditions.js';
import { type ContinuePayload } from '../continue.js';
import { type HandlerFn } from '../engine-types.js';
import { encodeBody } from '../http-post.js';
import { signBotToken } from '../widget-token.js';
import { record } from './messages.js';

/**
 * `widget_request`: `{url, data}`. POSTs `{token, data, return_url}` (JSON or PHP-style form),
 * needs HTTP 200 within the ack limit, then waits for `continue` on `return_url`. The continue's
 * `data` becomes `{{json.*}}` and its `execute_handlers` run before the next handler here (its
 * `goto`s are skipped when `continue_goto` is `ignore`).
 */
export const widgetRequest: HandlerFn = async (ctx, params) => {
  const { run, account, settings, clock } = ctx;
  const p = record(params);
  const url = ctx.render(p.url);
  if (!/^https?:\/\//.test(url)) throw new StepError('widget_request needs an http(s) params.url');
  const rendered = ctx.renderDeep(p.data ?? {});
  const data = isRecord(rendered) ? rendered : { value: rendered };
  const integration = ctx.directory.integration(account.id, run.integrationClientId);
  if (!integration) {
    throw new StepError('no integration in this account has a client secret to sign the token');
  }
  const expiresAt = clock.now() + settings.continueTimeoutMs;
  const pending = ctx.continues.open({
    accountId: account.id,
    botId: run.botId,
    runId: run.id,
    leadId: run.leadId,
    expiresAt,
  });
  const returnUrl = `${account.apiBase}/api/v4/salesbot/${run.botId}/continue/${pending.id}`;
  const token = await signBotToken({
    account,
    clientId: integration.clientId,
    clientSecret: integration.clientSecret,
    leadId: run.leadId,
    nowMs: clock.now(),
  });
  const encoding = run.encoding ?? settings.widgetRequestEncoding;
  const body = encodeBody({ token, data, return_url: returnUrl }, encoding);
  const result = await ctx.guard(ctx.http(url, body, settings.ackTimeoutMs));
  const outcome = result.ok ? `HTTP ${result.status}` : result.error;
  ctx.record(
    'http',
    `widget_request POST ${url} (${encoding}): ${outcome} in ${result.elapsedMs} ms`,
    {
      detail: {
        url,
        encoding,
        data,
        return_url: returnUrl,
        status: result.ok ? result.status : null,
      },
    },
  );
  if (!result.ok || result.status !== 200) {
    ctx.continues.close(pending.id);
    throw new StepError(
      `the receiver did not acknowledge with HTTP 200 within ${settings.ackTimeoutMs} ms`,
    );
  }
  ctx.setWaiting({ kind: 'continue', until: expiresAt, continueId: pending.id });
  const received = await ctx.guard(
    Promise.race([
      pending.payload.then((payload): ContinuePayload | undefined => payload),
      clock.sleep(settings.continueTimeoutMs).then(() => undefined),
    ]),
  );
  ctx.setWaiting(undefined);
  if (!received) {
    ctx.continues.close(pending.id);
    throw new StepError(`no continue within ${settings.continueTimeoutMs / 1000} s`);
  }
  run.json = received.data;
  ctx.record('event', `Continue received: ${received.handlers.map((h) => h.handler).join(', ')}`, {
    detail: { data: received.data, execute_handlers: received.handlers },
  });
  if (settings.continueGoto === 'ignore') {
    const skipped = received.handlers.filter((h) => h.handler === 'goto').length;
    if (skipped > 0) ctx.record('event', `continue_goto ignore: ${skipped} goto skipped`);
    return ctx.runHandlers(received.handlers.filter((h) => h.handler !== 'goto'));
  }
  return ctx.runHandlers(received.handlers);
};
