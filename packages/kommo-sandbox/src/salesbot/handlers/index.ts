import { type Handler } from '../bot-schema.js';
import { type Flow, type HandlerContext, type HandlerFn, NEXT } from '../engine-types.js';
import { action, addNote, changeStatus, setCustomFields, setTag, unsetTag } from './actions.js';
import { buttons, condition, conditions, exits, goto, stop, validations } from './flow.js';
import { record, sendExternalMessage, sendInternal, sendMessage, show } from './messages.js';
import { pause, waitAnswer, waits } from './waits.js';
import { webhook } from './webhook.js';
import { widgetRequest } from './widget-request.js';

// The Visual Builder saves some actions as handlers of their own; they map onto the documented ones.
const editorAlias =
  (fn: typeof setTag, map: (p: Record<string, unknown>) => Record<string, unknown>): HandlerFn =>
  (ctx, params) =>
    fn(ctx, map(record(params)));

const HANDLERS: Record<string, HandlerFn> = {
  show,
  send_message: sendMessage,
  send_external_message: sendExternalMessage,
  send_internal: sendInternal,
  action,
  goto,
  stop,
  conditions,
  condition,
  validations,
  buttons,
  exits,
  wait_answer: waitAnswer,
  waits,
  pause,
  delay: pause,
  widget_request: widgetRequest,
  webhook,
  send_webhook: webhook,
  add_tag: editorAlias(setTag, (p) => ({ value: p.value ?? p.tag })),
  remove_tag: editorAlias(unsetTag, (p) => ({ value: p.value ?? p.tag })),
  save_data: editorAlias(setCustomFields, (p) => ({
    custom_fields_id: p.field_id,
    value: p.value,
  })),
  create_note: editorAlias(addNote, (p) => ({ text: p.text })),
  change_status: editorAlias(changeStatus, (p) => ({
    value: p.status_id,
    pipeline_id: p.pipeline_id,
  })),
  talk_close: (ctx) => stop(ctx, { action: 'talk-close' }),
};

export async function dispatchHandler(ctx: HandlerContext, handler: Handler): Promise<Flow> {
  const fn = HANDLERS[handler.handler];
  if (!fn) {
    ctx.record('event', `Handler "${handler.handler}" is not simulated; skipped`);
    return NEXT;
  }
  return fn(ctx, handler.params);
}
