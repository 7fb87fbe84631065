/**
 * Kommo's salesbot script format (docs/kommo-contract.md §5.3): an object whose numeric keys are
 * steps (from 0) plus an optional `"error"` handler list; each step has `question`, `answer` and
 * `finish` handler lists. Kommo refuses scripts over 64 KB.
 */
export type BotHandler = { handler: string; params?: unknown };

export type BotStep = { question: BotHandler[]; answer?: BotHandler[]; finish?: BotHandler[] };

export type BotJson = { [step: number]: BotStep; error?: BotHandler[] };

/** One step as the user sees it next to the JSON: its number and its part of the flow. */
export type BotOutlineEntry = { step: number; name: string; role: string };

export type BuiltBot = { bot: BotJson; outline: BotOutlineEntry[] };

export const MAX_BOT_JSON_BYTES = 64 * 1024;

/** A step named before its number is known; `BotBuilder.build` swaps it for the number. */
export class StepRef {
  constructor(readonly name: string) {}
}

/**
 * Collects named steps in order (the first becomes step 0, where Kommo starts) and resolves
 * every `StepRef` inside their handlers, so templates read as a flow instead of step numbers.
 */
export class BotBuilder {
  private readonly steps = new Map<string, { role: string; step: BotStep }>();
  private readonly error: BotHandler[] = [];

  ref(name: string): StepRef {
    return new StepRef(name);
  }

  /** A step; `finish` runs when `question` ends without a jump (where Kommo documents `stop`). */
  add(name: string, role: string, question: BotHandler[], finish?: BotHandler[]): this {
    if (this.steps.has(name)) throw new Error(`step "${name}" is defined twice`);
    this.steps.set(name, { role, step: finish ? { question, finish } : { question } });
    return this;
  }

  /** The script's `"error"` handlers: Kommo runs them when a step fails. */
  onError(handlers: BotHandler[]): this {
    this.error.push(...handlers);
    return this;
  }

  build(): BuiltBot {
    const numbers = new Map([...this.steps.keys()].map((name, index) => [name, index]));
    const resolve = (value: unknown): unknown => {
      if (value instanceof StepRef) {
        const step = numbers.get(value.name);
        if (step === undefined) throw new Error(`no step named "${value.name}"`);
        return step;
      }
      if (Array.isArray(value)) return value.map(resolve);
      if (typeof value === 'object' && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
      }
      return value;
    };
    const bot: BotJson = {};
    const outline: BotOutlineEntry[] = [];
    for (const [name, { role, step }] of this.steps) {
      const number = numbers.get(name) ?? 0;
      bot[number] = resolve(step) as BotStep;
      outline.push({ step: number, name, role });
    }
    if (this.error.length > 0) bot.error = resolve(this.error) as BotHandler[];
    return { bot, outline };
  }
}

// ---- Handlers, in the shapes of docs/kommo-contract.md §5.4 (and the sandbox runs) ----

type Target = StepRef | number;

/** `{{lead.cf.<id>}}`: a lead field's value. */
export const cf = (fieldId: number): string => `{{lead.cf.${fieldId}}}`;

export const goto = (step: Target): BotHandler => ({
  handler: 'goto',
  params: { type: 'question', step },
});

export const show = (text: string): BotHandler => ({
  handler: 'show',
  params: { type: 'text', value: text },
});

/** `set_custom_fields` on the lead (`type: 2`); an empty value clears the field. */
export const setField = (fieldId: number, value: string): BotHandler => ({
  handler: 'action',
  params: { name: 'set_custom_fields', params: { type: 2, custom_fields_id: fieldId, value } },
});

export const setTag = (tag: string): BotHandler => ({
  handler: 'action',
  params: { name: 'set_tag', params: { type: 2, value: tag } },
});

export const unsetTag = (tag: string): BotHandler => ({
  handler: 'action',
  params: { name: 'unset_tag', params: { type: 2, value: tag } },
});

/** A common note (`note_type` 4) on the lead (`element_type` 2), in the documented form. */
export const addNote = (text: string): BotHandler => ({
  handler: 'action',
  params: { name: 'add_note', params: { element_type: 2, note_type: 4, text } },
});

/** A message to the account's users (not to the customer). */
export const sendInternal = (message: string): BotHandler => ({
  handler: 'send_internal',
  params: { entity_id: '{{lead.id}}', entity_type: 2, message },
});

/**
 * Ends the bot without closing the talk, so a person can take over the chat. Kommo documents
 * `stop` in a step's `finish` block only, so templates put it there (`BotBuilder.add`'s `finish`).
 */
export const stop = (): BotHandler => ({ handler: 'stop', params: {} });

export type Condition = { term1: string; operation: string; term2?: string };

/** `conditions`: when any (`or`) or all (`and`) hold, `then` runs (usually ending in a goto). */
export const when = (
  logic: 'and' | 'or',
  conditions: Condition[],
  then: BotHandler[],
): BotHandler => ({
  handler: 'conditions',
  params: {
    logic,
    conditions: conditions.map((c) => ({
      term1: c.term1,
      term2: c.term2 ?? '',
      operation: c.operation,
    })),
    result: then,
  },
});

/**
 * `wait_answer`: the customer's next message runs `onMessage` (documented). With `timeout` it is
 * the designer's "wait for an answer, at most N s" step, which has no published JSON: the
 * installer lists such a step to add by hand (`hand-added.ts`, docs/kommo-contract.md §5.4).
 */
export const waitAnswer = (
  onMessage: Target,
  timeout?: { seconds: number; then: Target },
): BotHandler => ({
  handler: 'wait_answer',
  params: {
    type: 'question',
    step: onMessage,
    ...(timeout
      ? { timeout: timeout.seconds, on_timeout: { type: 'question', step: timeout.then } }
      : {}),
  },
});

/**
 * A fixed pause: the designer's Pause step, which has no published JSON. `pause {seconds}` is the
 * sandbox's form of it; the installer lists the step to add by hand (`hand-added.ts`).
 */
export const pause = (seconds: number): BotHandler => ({ handler: 'pause', params: { seconds } });

/**
 * The designer's "Send webhook" step: Kommo POSTs the lead (form-encoded) to the URL and goes on
 * without waiting. It has no published JSON (docs/kommo-contract.md §5.4): the installer lists the
 * step to add by hand; the sandbox runs `webhook {url}` and posts the body of §1.
 */
export const webhook = (url: string): BotHandler => ({ handler: 'webhook', params: { url } });

/** `widget_request` (documented): POST `{token, data, return_url}`, then wait for continue. */
export const widgetRequest = (url: string, data: Record<string, unknown>): BotHandler => ({
  handler: 'widget_request',
  params: { url, data },
});

// ---- Structure check, run on every built template ----

const BLOCKS = ['question', 'answer', 'finish'] as const;

/**
 * What is wrong with a script's shape: steps not numbered 0..n-1, empty blocks, handlers without
 * a name, and jumps (`goto`, `wait_answer`, `on_timeout`, widget_request `next_step` /
 * `error_step`) to steps that do not exist. Empty when the script is sound.
 */
export function botProblems(bot: BotJson): string[] {
  const problems: string[] = [];
  const keys = Object.keys(bot).filter((key) => key !== 'error');
  const numbers = keys.map(Number);
  if (keys.some((key) => !/^\d+$/.test(key))) problems.push('a step key is not a number');
  const sorted = [...numbers].sort((a, b) => a - b);
  if (sorted.some((n, index) => n !== index)) problems.push('steps are not numbered 0..n-1');
  const exists = new Set(numbers);
  const checkTarget = (where: string, step: unknown) => {
    if (typeof step !== 'number' || !exists.has(step)) {
      problems.push(`${where} jumps to missing step ${JSON.stringify(step)}`);
    }
  };
  const visit = (where: string, handlers: BotHandler[]) => {
    handlers.forEach((h, index) => {
      const at = `${where}[${index}] ${h.handler}`;
      if (typeof h.handler !== 'string' || h.handler === '') problems.push(`${at}: no handler`);
      const p = (h.params ?? {}) as Record<string, unknown>;
      if (h.handler === 'goto' || h.handler === 'wait_answer') checkTarget(at, p.step);
      if (h.handler === 'wait_answer' && p.on_timeout !== undefined) {
        checkTarget(`${at} on_timeout`, (p.on_timeout as Record<string, unknown>).step);
      }
      if (h.handler === 'widget_request') {
        const data = (p.data ?? {}) as Record<string, unknown>;
        checkTarget(`${at} next_step`, data.next_step);
        if (data.error_step !== undefined) checkTarget(`${at} error_step`, data.error_step);
      }
      if (h.handler === 'conditions') visit(`${at}.result`, (p.result ?? []) as BotHandler[]);
    });
  };
  for (const key of keys) {
    const step = bot[Number(key)];
    if (!step || !Array.isArray(step.question)) {
      problems.push(`step ${key} has no question block`);
      continue;
    }
    if (BLOCKS.every((block) => (step[block] ?? []).length === 0)) {
      problems.push(`step ${key} is empty`);
    }
    for (const block of BLOCKS) visit(`step ${key}.${block}`, step[block] ?? []);
  }
  if (bot.error) visit('error', bot.error);
  return problems;
}

/** Every handler of a script, conditions' results included (for tests and checks). */
export function allHandlers(bot: BotJson): BotHandler[] {
  const out: BotHandler[] = [];
  const visit = (handlers: BotHandler[]) => {
    for (const h of handlers) {
      out.push(h);
      const result = (h.params as { result?: unknown } | undefined)?.result;
      if (h.handler === 'conditions' && Array.isArray(result)) visit(result as BotHandler[]);
    }
  };
  for (const [key, step] of Object.entries(bot)) {
    if (key === 'error') visit(step as BotHandler[]);
    else for (const block of BLOCKS) visit((step as BotStep)[block] ?? []);
  }
  return out;
}
