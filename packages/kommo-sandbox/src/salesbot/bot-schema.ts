/**
 * Kommo's salesbot script format: a top-level array of steps, or an object whose numeric keys are
 * steps plus an optional `"error"` handler list. Each step has `question`, `answer` and `finish`
 * handler lists; steps are numbered from 0. The Visual Builder envelope
 * (`{ model: { text: "<json string>" } }`) is unwrapped too, since "View source" exports use it.
 */
export type Handler = { handler: string; params?: unknown };

export type BlockKind = 'question' | 'answer' | 'finish';

export type BlockRef = { kind: BlockKind; step: number };

export type Step = { question: Handler[]; answer: Handler[]; finish: Handler[] };

export type BotScript = { steps: Map<number, Step>; error: Handler[] };

// Kommo refuses bot JSON over 64 KB.
export const MAX_SCRIPT_BYTES = 64 * 1024;

export class BotScriptError extends Error {}

export function parseBotScript(input: unknown): BotScript {
  let value = input;
  if (typeof value === 'string') {
    if (Buffer.byteLength(value) > MAX_SCRIPT_BYTES) throw tooLarge();
    value = parseJson(value);
  } else if (Buffer.byteLength(JSON.stringify(value ?? null)) > MAX_SCRIPT_BYTES) {
    throw tooLarge();
  }
  value = unwrapEnvelope(value);
  const steps = new Map<number, Step>();
  let error: Handler[] = [];
  if (Array.isArray(value)) {
    value.forEach((raw, index) => steps.set(index, parseStep(raw, String(index))));
  } else if (isRecord(value)) {
    for (const [key, raw] of Object.entries(value)) {
      if (key === 'error') error = parseHandlers(raw, 'error');
      else if (/^\d+$/.test(key)) steps.set(Number(key), parseStep(raw, key));
      // Other keys ("conversation", "block_uuid", ...) are editor metadata.
    }
  } else {
    throw new BotScriptError('a bot script is an array of steps or an object with numeric keys');
  }
  if (steps.size === 0) throw new BotScriptError('a bot script needs at least one step');
  return { steps, error };
}

export function blockOf(script: BotScript, ref: BlockRef): Handler[] | undefined {
  return script.steps.get(ref.step)?.[ref.kind];
}

export function parseBlockRef(raw: unknown): BlockRef | undefined {
  if (!isRecord(raw)) return undefined;
  const kind = raw.type ?? 'question';
  const step = typeof raw.step === 'string' ? Number(raw.step) : raw.step;
  if (kind !== 'question' && kind !== 'answer' && kind !== 'finish') return undefined;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) return undefined;
  return { kind, step };
}

export function parseHandlers(raw: unknown, where: string): Handler[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new BotScriptError(`${where} must be an array of handlers`);
  return raw.map((item, index) => {
    if (!isRecord(item) || typeof item.handler !== 'string' || item.handler === '') {
      throw new BotScriptError(`${where}[${index}] must be an object with a "handler" name`);
    }
    return { handler: item.handler, params: item.params };
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseStep(raw: unknown, key: string): Step {
  if (!isRecord(raw)) throw new BotScriptError(`step ${key} must be an object`);
  if (!('question' in raw) && !('answer' in raw) && !('finish' in raw)) {
    throw new BotScriptError(`step ${key} needs "question", "answer" or "finish"`);
  }
  return {
    question: parseHandlers(raw.question, `step ${key}.question`),
    answer: parseHandlers(raw.answer, `step ${key}.answer`),
    finish: parseHandlers(raw.finish, `step ${key}.finish`),
  };
}

function unwrapEnvelope(value: unknown): unknown {
  if (isRecord(value) && isRecord(value.model) && typeof value.model.text === 'string') {
    return parseJson(value.model.text);
  }
  return value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BotScriptError(`bot JSON does not parse: ${(error as Error).message}`);
  }
}

function tooLarge(): BotScriptError {
  return new BotScriptError(`bot JSON is over ${MAX_SCRIPT_BYTES} bytes`);
}
