import { StepError } from '../conditions.js';
import { type Flow, type HandlerContext, type HandlerFn, NEXT } from '../engine-types.js';
import { record } from './messages.js';
import { sendWebhook } from './webhook.js';

type ActionFn = (ctx: HandlerContext, params: Record<string, unknown>) => Promise<Flow> | Flow;

/** `set_custom_fields`: `{type: 2, custom_fields_id, value}` (or the editor's `custom_field: "{{lead.cf.ID}}"`). */
export const setCustomFields: ActionFn = (ctx, p) => {
  if (isContact(p.type)) return skipped(ctx, 'set_custom_fields on the contact');
  const fieldId = fieldIdOf(p);
  if (fieldId === undefined) throw new StepError('set_custom_fields needs custom_fields_id');
  const value = ctx.render(p.value);
  const before = ctx.crm.readLead(ctx.run.leadId)?.fields[String(fieldId)] ?? '';
  try {
    ctx.crm.setField(ctx.run.leadId, fieldId, value);
  } catch (error) {
    // Kommo drops a value it rejects and the bot goes on; the transcript shows why.
    ctx.record('error', `set_custom_fields ${fieldId}: ${(error as Error).message}`, {
      detail: { field_id: fieldId, value },
    });
    return NEXT;
  }
  const name = ctx.crm.describeFields(ctx.run.leadId).find((f) => f.id === fieldId)?.name;
  ctx.record('field', `${name ?? `Field ${fieldId}`} = ${value}`, {
    detail: { field_id: fieldId, name: name ?? null, value, previous: before },
  });
  return NEXT;
};

export const setTag: ActionFn = (ctx, p) => {
  if (isContact(p.type)) return skipped(ctx, 'set_tag on the contact');
  for (const name of tagNames(ctx, p.value)) {
    ctx.crm.addTag(ctx.run.leadId, name);
    ctx.record('tag_added', name);
  }
  return NEXT;
};

export const unsetTag: ActionFn = (ctx, p) => {
  if (isContact(p.type)) return skipped(ctx, 'unset_tag on the contact');
  for (const name of tagNames(ctx, p.value)) {
    ctx.crm.removeTag(ctx.run.leadId, name);
    ctx.record('tag_removed', name);
  }
  return NEXT;
};

/**
 * `add_note`: `{element_type, note_type, text}` (docs; element_type 2 is the lead), or `{text}` /
 * `{value}` in lenient mode; always a common note on the lead.
 */
export const addNote: ActionFn = (ctx, p) => {
  if (p.element_type !== undefined && Number(p.element_type) !== 2) {
    return skipped(ctx, `add_note on element_type ${JSON.stringify(p.element_type)}`);
  }
  const text = ctx.render(p.text ?? p.value ?? p.note);
  if (text === '') throw new StepError('add_note has no text');
  ctx.crm.addNote(ctx.run.leadId, text);
  ctx.record('note', text);
  return NEXT;
};

export const changeStatus: ActionFn = (ctx, p) => {
  const statusId = Number(ctx.render(p.value ?? p.status_id));
  if (!Number.isInteger(statusId) || statusId <= 0) {
    throw new StepError('change_status needs value');
  }
  const pipelineId = p.pipeline_id === undefined ? undefined : Number(ctx.render(p.pipeline_id));
  ctx.crm.setStatus(ctx.run.leadId, statusId, pipelineId);
  ctx.record('status', `Status ${statusId}${pipelineId ? ` (pipeline ${pipelineId})` : ''}`);
  return NEXT;
};

const ACTIONS: Record<string, ActionFn> = {
  set_custom_fields: setCustomFields,
  set_tag: setTag,
  unset_tag: unsetTag,
  add_note: addNote,
  change_status: changeStatus,
  webhook: (ctx, p) => sendWebhook(ctx, p),
  send_webhook: (ctx, p) => sendWebhook(ctx, p),
};

/** `action`: `{name, params}`; actions the sandbox does not simulate are recorded and skipped. */
export const action: HandlerFn = (ctx, params) => {
  const p = record(params);
  const name = typeof p.name === 'string' ? p.name : '';
  const fn = ACTIONS[name];
  if (!fn) return skipped(ctx, `action "${name}"`);
  return fn(ctx, record(p.params));
};

function skipped(ctx: HandlerContext, what: string): Flow {
  ctx.record('event', `${what} is not simulated; skipped`);
  return NEXT;
}

function isContact(type: unknown): boolean {
  return type === 1 || type === '1' || type === 'contact' || type === 'contacts';
}

function fieldIdOf(p: Record<string, unknown>): number | undefined {
  for (const raw of [p.custom_fields_id, p.field_id, p.custom_field]) {
    if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
    if (typeof raw === 'string') {
      const match = /^\s*(\d+)\s*$/.exec(raw) ?? /cf\.(\d+)/.exec(raw);
      if (match?.[1]) return Number(match[1]);
    }
  }
  return undefined;
}

function tagNames(ctx: HandlerContext, raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  const names = list.map((item) => ctx.render(item).trim()).filter((name) => name !== '');
  if (names.length === 0) throw new StepError('a tag needs a value');
  return names;
}
