import { isRecord } from '../bot-schema.js';
import { StepError } from '../conditions.js';
import { type HandlerFn, NEXT } from '../engine-types.js';

/** `show`: `{type: text|buttons|buttons_url, value, buttons}`, a message to the customer. */
export const show: HandlerFn = (ctx, params) => {
  const p = record(params);
  const text = ctx.render(p.value ?? p.text);
  const buttons = buttonLabels(ctx.render, p.buttons);
  if (text === '' && buttons.length === 0) throw new StepError('show has no value to send');
  ctx.record('bot', text, buttons.length > 0 ? { buttons } : undefined);
  return NEXT;
};

/** The Visual Builder's message step: `{text, buttons: [{text, type}]}`. */
export const sendMessage: HandlerFn = (ctx, params) => {
  const p = record(params);
  const text = ctx.render(p.text ?? p.value);
  const buttons = buttonLabels(ctx.render, p.buttons);
  ctx.record('bot', text, buttons.length > 0 ? { buttons } : undefined);
  return NEXT;
};

/** `send_external_message`: `{message: {text, buttons}, recipient, channels}`. */
export const sendExternalMessage: HandlerFn = (ctx, params) => {
  const message = record(record(params).message);
  const text = ctx.render(message.text);
  const buttons = buttonLabels(ctx.render, message.buttons);
  ctx.record('bot', text, buttons.length > 0 ? { buttons } : undefined);
  return NEXT;
};

/** `send_internal`: `{entity_id, entity_type, message, user_id?, group_id?}`, for the account's users. */
export const sendInternal: HandlerFn = (ctx, params) => {
  const p = record(params);
  const text = ctx.render(p.message ?? p.text);
  if (text === '') throw new StepError('send_internal has no message');
  ctx.record('internal', text, {
    detail: { user_id: p.user_id ?? null, group_id: p.group_id ?? null },
  });
  return NEXT;
};

export function record(params: unknown): Record<string, unknown> {
  return isRecord(params) ? params : {};
}

function buttonLabels(render: (value: unknown) => string, raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((button) => {
    if (isRecord(button)) {
      const label = render(button.text ?? button.value);
      return typeof button.url === 'string' ? `${label} (${render(button.url)})` : label;
    }
    return render(button);
  });
}
