import { type BlockKind, type BotScript, type Handler, isRecord } from './bot-schema.js';

/**
 * Strict mode (docs/kommo-contract.md §5.4): a bot may use only the handlers of Kommo's salesbot
 * reference (developers.kommo.com/docs/salesbot-dp), each with its documented params. Editor
 * aliases, sandbox extensions and undocumented params are refused. The one exception are the
 * designer's UI-only steps ("Send webhook", "Pause", a wait with a time limit), which have no
 * published JSON: a person adds them by hand in the designer, so the sandbox takes them only in
 * the steps a bot is uploaded with as `hand_added`, and only in one form each (below).
 */
export type StrictProblem = { where: string; handler: string; problem: string };

type Place = { where: string; block: BlockKind | 'error'; handAdded: boolean };

type Checker = (params: unknown, place: Place, out: StrictProblem[]) => string | undefined;

const REF_TYPES = ['question', 'answer', 'finish'];

/** The actions of the reference whose params the sandbox knows (others are refused). */
const ACTIONS: Record<string, string[]> = {
  set_custom_fields: ['type', 'custom_fields_id', 'value'],
  set_tag: ['type', 'value'],
  unset_tag: ['type', 'value'],
  add_note: ['element_type', 'note_type', 'text'],
  change_status: ['value'],
};

/** The designer's UI-only steps, in the form the sandbox takes in a hand-added step. */
export const HAND_ADDED_FORMS = {
  webhook: '"Send webhook": webhook {url}',
  pause: '"Pause": pause {seconds}',
  timed_wait:
    'a wait with a time limit: wait_answer {type, step, timeout, on_timeout: {type, step}}',
} as const;

/** Everything strict mode refuses in a script; empty when every handler is documented. */
export function strictProblems(
  script: BotScript,
  handAddedSteps: readonly number[] = [],
): StrictProblem[] {
  const out: StrictProblem[] = [];
  const handAdded = new Set(handAddedSteps);
  for (const [number, step] of script.steps) {
    for (const block of REF_TYPES as BlockKind[]) {
      const place = { where: `step ${number}.${block}`, block, handAdded: handAdded.has(number) };
      checkList(step[block], place, out);
    }
  }
  checkList(script.error, { where: 'error', block: 'error', handAdded: false }, out);
  for (const step of handAdded) {
    if (!script.steps.has(step)) {
      out.push({ where: `hand_added`, handler: '-', problem: `there is no step ${step}` });
    }
  }
  return out;
}

/** One line per problem, for errors and the transcript. */
export function describeProblem(p: StrictProblem): string {
  return `${p.where} "${p.handler}": ${p.problem}`;
}

function checkList(list: unknown, place: Place, out: StrictProblem[]): void {
  if (!Array.isArray(list)) {
    out.push({ where: place.where, handler: '-', problem: 'must be a list of handlers' });
    return;
  }
  list.forEach((raw: unknown, index) => {
    const where = `${place.where}[${index}]`;
    const item = isRecord(raw) ? (raw as Partial<Handler>) : {};
    const name = typeof item.handler === 'string' ? item.handler : '';
    const checker = CHECKERS[name];
    const problem = checker
      ? checker(item.params, { ...place, where }, out)
      : `not a documented handler${HAND_ADDED_HINT[name] ?? ''}`;
    if (problem) out.push({ where, handler: name || '-', problem });
  });
}

const HAND_ADDED_HINT: Record<string, string> = {
  webhook: `; ${HAND_ADDED_FORMS.webhook} is taken only in a step uploaded as hand_added`,
  pause: `; ${HAND_ADDED_FORMS.pause} is taken only in a step uploaded as hand_added`,
};

/** Missing required keys or keys the reference does not name. */
function shape(params: unknown, required: string[], optional: string[] = []): string | undefined {
  if (!isRecord(params)) return `params must be an object with ${required.join(', ')}`;
  const missing = required.filter((key) => params[key] === undefined);
  const extra = Object.keys(params).filter((k) => !required.includes(k) && !optional.includes(k));
  const parts = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    extra.length > 0 ? `undocumented ${extra.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length > 0
    ? `${parts.join('; ')} (documented: ${[...required, ...optional].join(', ')})`
    : undefined;
}

function isRef(raw: unknown): boolean {
  if (!isRecord(raw)) return false;
  const step = typeof raw.step === 'string' ? Number(raw.step) : raw.step;
  return REF_TYPES.includes(String(raw.type)) && Number.isInteger(step) && Number(step) >= 0;
}

const ref: Checker = (params) =>
  shape(params, ['type', 'step']) ??
  (isRef(params) ? undefined : 'type must be question, answer or finish and step a step number');

/** `result` lists (conditions, validations) and buttons' `params` hold handlers of their own. */
const nested = (params: unknown, key: string, place: Place, out: StrictProblem[]) => {
  if (isRecord(params) && params[key] !== undefined) {
    checkList(params[key], { ...place, where: `${place.where}.${key}` }, out);
  }
};

const CHECKERS: Record<string, Checker> = {
  show: (p) => {
    const problem = shape(p, ['type', 'value'], ['buttons']);
    if (problem) return problem;
    const type = (p as Record<string, unknown>).type;
    return ['text', 'buttons', 'buttons_url'].includes(String(type))
      ? undefined
      : 'type must be text, buttons or buttons_url';
  },
  buttons: (p, place, out) => {
    if (!Array.isArray(p)) return 'params must be a list of {value, regex?, synonyms?, params}';
    p.forEach((item: unknown, index) => {
      const at = { ...place, where: `${place.where}[${index}]` };
      const problem = shape(item, ['params'], ['value', 'regex', 'synonyms']);
      if (problem) out.push({ where: at.where, handler: 'buttons', problem });
      else nested(item, 'params', at, out);
    });
    return undefined;
  },
  goto: ref,
  wait_answer: (p, place) => {
    if (!shape(p, ['type', 'step'])) return ref(p, place, []);
    if (place.handAdded && isTimedWait(p)) return undefined;
    return `${shape(p, ['type', 'step'])}; ${HAND_ADDED_FORMS.timed_wait} is taken only in a step uploaded as hand_added`;
  },
  // Documented handlers whose params the sandbox does not pin down (it simulates none but validations).
  find: (p) => (isRecord(p) ? undefined : 'params must be an object'),
  filter: (p) => (isRecord(p) ? undefined : 'params must be an object'),
  meta: (p) => (isRecord(p) ? undefined : 'params must be an object'),
  preset: (p) => shape(p, ['name', 'params']),
  validations: (p, place, out) => {
    if (!isRecord(p)) return 'params must be an object';
    nested(p, 'result', place, out);
    return undefined;
  },
  action: (p, place, out) => {
    const problem = shape(p, ['name', 'params']);
    if (problem) return problem;
    const { name, params } = p as Record<string, unknown>;
    const keys = ACTIONS[String(name)];
    if (!keys) {
      const known = Object.keys(ACTIONS).join(', ');
      return `action "${String(name)}" is not one the sandbox knows as documented (${known})`;
    }
    const inner = shape(params, keys);
    if (inner) out.push({ where: place.where, handler: `action ${String(name)}`, problem: inner });
    return undefined;
  },
  condition: (p, place, out) => {
    const problem = shape(p, ['term1', 'term2', 'operation', 'result']);
    if (!problem) nested(p, 'result', place, out);
    return problem;
  },
  conditions: (p, place, out) => {
    const problem = shape(p, ['logic', 'conditions', 'result']);
    if (problem) return problem;
    const list = (p as Record<string, unknown>).conditions;
    if (!Array.isArray(list)) return 'conditions must be a list of {term1, term2, operation}';
    list.forEach((item: unknown, index) => {
      const inner = shape(item, ['term1', 'term2', 'operation']);
      if (inner) {
        out.push({
          where: `${place.where}.conditions[${index}]`,
          handler: 'conditions',
          problem: inner,
        });
      }
    });
    nested(p, 'result', place, out);
    return undefined;
  },
  send_internal: (p) => shape(p, ['entity_id', 'entity_type', 'message']),
  send_external_message: (p) => shape(p, ['message'], ['recipient', 'channels']),
  widget_request: (p) => shape(p, ['url', 'data']),
  stop: (p, place) => {
    if (place.block !== 'finish') return "stop is documented in a step's finish block only";
    if (p === undefined) return undefined;
    const problem = shape(p, [], ['action', 'bot']);
    if (problem) return problem;
    const action = (p as Record<string, unknown>).action;
    return action === undefined || action === 'talk-close' || action === 'salesbot-start'
      ? undefined
      : 'action must be talk-close or salesbot-start';
  },
  exits: (p) => shape(p, ['value']),
  webhook: (p, place) =>
    place.handAdded
      ? shape(p, ['url'])
      : `the designer's "Send webhook" step has no documented JSON; ${HAND_ADDED_FORMS.webhook} is taken only in a step uploaded as hand_added`,
  pause: (p, place) => {
    if (!place.handAdded) {
      return `the designer's "Pause" step has no documented JSON; ${HAND_ADDED_FORMS.pause} is taken only in a step uploaded as hand_added`;
    }
    const seconds = isRecord(p) ? p.seconds : undefined;
    return (
      shape(p, ['seconds']) ??
      (Number.isInteger(seconds) && Number(seconds) > 0
        ? undefined
        : 'seconds must be a positive whole number')
    );
  },
};

function isTimedWait(p: unknown): boolean {
  if (shape(p, ['type', 'step', 'timeout', 'on_timeout'])) return false;
  const { timeout, on_timeout: onTimeout } = p as Record<string, unknown>;
  return isRef(p) && isRef(onTimeout) && !shape(onTimeout, ['type', 'step']) && Number(timeout) > 0;
}
