import {
  EXTRACTION_ANSWER_KEY,
  type ExtractionAction,
  type ExtractionCondition,
  type LeadExtractionTrace,
} from '@gpt-bridge/shared';
import { fieldWriteFor, isEmptyValue } from './field-values';
import {
  type AccountCatalog,
  type ExtractionPlan,
  type ExtractionWrites,
  type PlannedTask,
  type ProfileDefinition,
} from './extraction.types';

export type PlanContext = {
  catalog: AccountCatalog;
  /** GPT Bridge's own six fields: never written from an extraction (§9.1). */
  ownFieldIds: ReadonlySet<number>;
  /** The lead's responsible user, for tasks without a user of their own; null if unknown. */
  responsibleUserId: number | null;
  timeZone: string;
  now: Date;
};

type Trace = LeadExtractionTrace;
type TraceAction = Trace['actions'][number];

/**
 * Turns the model's JSON into what is written: every value checked against its field's type and
 * options, every rule's actions checked against the account's stages and users. Nothing here
 * calls anyone, so the plan is stored with the outcome before Kommo sees any of it.
 */
export function planExtraction(
  profile: ProfileDefinition,
  json: Record<string, unknown>,
  ctx: PlanContext,
): ExtractionPlan {
  const answerValue = json[EXTRACTION_ANSWER_KEY];
  const answer = typeof answerValue === 'string' ? answerValue : '';
  const fields = new Map(ctx.catalog.fields.map((f) => [f.id, f]));
  const trace: Trace = { profile: profile.name, written: [], skipped: [], actions: [] };
  const writes: ExtractionWrites = {
    customFields: [],
    move: null,
    tagsToAdd: [],
    tagsToDelete: [],
    tasks: [],
    note: '',
  };
  // Valid values by item name: what the rules test (an invalid value fires nothing).
  const values = new Map<string, unknown>([[EXTRACTION_ANSWER_KEY, answer]]);

  for (const item of profile.items) {
    const field = fields.get(item.fieldId);
    const value = json[item.name];
    if (!field || ctx.ownFieldIds.has(item.fieldId)) {
      trace.skipped.push({
        name: item.name,
        value: value ?? null,
        reason: field ? 'a GPT Bridge field' : `the lead field ${item.fieldId} no longer exists`,
      });
      continue;
    }
    if (isEmptyValue(value)) {
      // A missing optional value is the normal case; only a required one is worth a line.
      if (item.required) {
        trace.skipped.push({ name: item.name, value: null, reason: 'required, but not found' });
      }
      continue;
    }
    const checked = fieldWriteFor(field, value, ctx.timeZone);
    if (!checked.ok) {
      trace.skipped.push({ name: item.name, value, reason: checked.reason });
      continue;
    }
    writes.customFields.push(checked.write);
    trace.written.push({ fieldId: field.id, name: field.name, value: checked.shown });
    values.set(item.name, checked.shown);
  }

  for (const rule of profile.rules) {
    if (!conditionHolds(rule.when, values.get(rule.when.item))) continue;
    for (const action of rule.then) {
      trace.actions.push(planAction(action, ctx, writes));
    }
  }
  writes.note = noteText(trace);
  return { answer, trace, writes, logSummary: logSummary(trace) };
}

/** Case-insensitive; on a list (multiselect), any of its options. */
export function conditionHolds(condition: ExtractionCondition, value: unknown): boolean {
  const list = (Array.isArray(value) ? value : [value]).filter((v) => !isEmptyValue(v));
  if (condition.op === 'is_set') return list.length > 0;
  const wanted = (condition.value ?? '').trim().toLowerCase();
  return list.some((v) => {
    const text = String(v).trim().toLowerCase();
    return condition.op === 'equals' ? text === wanted : text.includes(wanted);
  });
}

function planAction(
  action: ExtractionAction,
  ctx: PlanContext,
  writes: ExtractionWrites,
): TraceAction {
  switch (action.kind) {
    case 'move': {
      const pipeline = ctx.catalog.pipelines.find((p) => p.id === action.pipelineId);
      const status = pipeline?.statuses.find((s) => s.id === action.statusId);
      if (!pipeline || !status) {
        return refused('move', `stage ${action.pipelineId}/${action.statusId} no longer exists`);
      }
      const where = `${pipeline.name} › ${status.name}`;
      if (writes.move) return refused('move', `${where}: another rule already moves the lead`);
      writes.move = { pipelineId: pipeline.id, statusId: status.id };
      return { kind: 'move', detail: where, ok: true };
    }
    case 'tag_add':
      if (!writes.tagsToAdd.includes(action.tag)) writes.tagsToAdd.push(action.tag);
      return { kind: 'tag_add', detail: action.tag, ok: true };
    case 'tag_remove':
      if (!writes.tagsToDelete.includes(action.tag)) writes.tagsToDelete.push(action.tag);
      return { kind: 'tag_remove', detail: action.tag, ok: true };
    case 'task': {
      const userId = action.responsibleUserId ?? ctx.responsibleUserId;
      if (userId === null) {
        return refused('task', `"${action.text}": the lead has no responsible user`);
      }
      const users = ctx.catalog.users;
      const user = users?.find((u) => u.id === userId);
      // The lead's own responsible user is Kommo's word; a user named in a rule must be checked.
      if (users === null && action.responsibleUserId !== undefined) {
        return refused('task', `"${action.text}": Kommo does not let us check the users`);
      }
      if (users !== null && (!user || !user.active)) {
        return refused('task', `"${action.text}": user ${userId} is not an active user`);
      }
      const task: PlannedTask = {
        text: action.text,
        completeTill: Math.floor(ctx.now.getTime() / 1000) + action.dueHours * 3600,
        taskTypeId: action.taskTypeId,
        responsibleUserId: userId,
      };
      writes.tasks.push(task);
      return {
        kind: 'task',
        detail: `"${action.text}" for ${user?.name ?? `user ${userId}`}`,
        ok: true,
      };
    }
  }
}

function refused(kind: TraceAction['kind'], detail: string): TraceAction {
  return { kind, detail, ok: false };
}

function shown(value: unknown): string {
  const text = Array.isArray(value) ? value.join(', ') : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// The classic template sends a request to its error branch when LOG contains "ERROR"; a
// customer's words quoted here must not do that.
function quoted(value: unknown): string {
  return `"${shown(value).replace(/error/gi, 'err')}"`;
}

const ACTION_WORDS: Record<TraceAction['kind'], string> = {
  move: 'moved to',
  tag_add: 'tag +',
  tag_remove: 'tag -',
  task: 'task',
};

/** One LOG line: `extract <profile>: wrote …; skipped …; did …; not done …`. */
export function logSummary(trace: Trace): string {
  const parts = [
    `extract ${trace.profile}: wrote ${trace.written.map((w) => w.name).join(', ') || 'nothing'}`,
  ];
  if (trace.skipped.length) {
    const skipped = trace.skipped.map((s) =>
      s.value === null ? `${s.name} (${s.reason})` : `${s.name} ${quoted(s.value)} (${s.reason})`,
    );
    parts.push(`skipped ${skipped.join(', ').replace(/error/gi, 'err')}`);
  }
  const done = trace.actions.filter((a) => a.ok).map((a) => `${ACTION_WORDS[a.kind]} ${a.detail}`);
  if (done.length) parts.push(`did ${done.join(', ')}`);
  const failed = trace.actions.filter((a) => !a.ok).map((a) => `${a.kind} ${a.detail}`);
  if (failed.length) parts.push(`not done ${failed.join(', ').replace(/error/gi, 'err')}`);
  return parts.join('; ');
}

/** The note on the lead: the same facts, a line each, for the people who work the lead. */
function noteText(trace: Trace): string {
  const lines = [`GPT Bridge extraction "${trace.profile}"`];
  for (const w of trace.written) lines.push(`✓ ${w.name}: ${shown(w.value)}`);
  for (const s of trace.skipped) {
    lines.push(`✗ ${s.name}${s.value === null ? '' : ` ${quoted(s.value)}`}: ${s.reason}`);
  }
  for (const a of trace.actions) {
    lines.push(`${a.ok ? '→' : '✗'} ${ACTION_WORDS[a.kind]} ${a.detail}`);
  }
  return lines.join('\n');
}
