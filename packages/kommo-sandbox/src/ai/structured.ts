import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openAiError, type Outcome } from './errors.js';
import { isRecord } from './openai-shared.js';
import { ruleMatches, type StructuredMode } from './script.js';
import { type TextMessage } from './state.js';

// OpenAI structured outputs in the fake (docs/ai-providers.md §1.11): Chat Completions'
// `response_format` and the Responses API's `text.format`, each `json_schema` (Structured
// Outputs) or `json_object` (JSON mode).

const addFormats = addFormatsModule.default;

export type JsonFormat =
  | {
      type: 'json_schema';
      name: string;
      schema: Record<string, unknown>;
      strict: boolean;
      description?: string;
    }
  | { type: 'json_object' };

/** What the call log keeps about a structured answer. */
export type StructuredRecord = {
  type: JsonFormat['type'];
  name: string | null;
  strict: boolean;
  /** `scripted`: a rule or the script's default; `schema`: built from the schema; `refusal`. */
  source: 'scripted' | 'schema' | 'refusal';
  /** Whether the JSON sent validates against the schema (always true for JSON mode). */
  conforms: boolean;
  errors: string[];
};

export type StructuredAnswer = {
  text: string | null;
  refusal: string | null;
  record: StructuredRecord;
};

/** Where the format sits in each API; used in error `param`s. */
export type FormatPlace = 'response_format' | 'text.format';

/** The format a Chat Completions body asks for, or null for text. */
export function chatFormat(body: Record<string, unknown>): JsonFormat | null {
  return readFormat(body.response_format, true);
}

/** The format a Responses body asks for (`text.format`), or null for text. */
export function responsesFormat(body: Record<string, unknown>): JsonFormat | null {
  return isRecord(body.text) ? readFormat(body.text.format, false) : null;
}

// Chat nests the schema under `json_schema`; Responses puts name/schema/strict beside `type`.
function readFormat(value: unknown, nested: boolean): JsonFormat | null {
  if (!isRecord(value)) return null;
  if (value.type === 'json_object') return { type: 'json_object' };
  if (value.type !== 'json_schema') return null;
  const spec = nested ? value.json_schema : value;
  if (!isRecord(spec)) return null;
  return {
    type: 'json_schema',
    name: typeof spec.name === 'string' ? spec.name : '',
    schema: isRecord(spec.schema) ? spec.schema : {},
    strict: spec.strict === true,
    ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
  };
}

/**
 * Refuses what OpenAI refuses before generating: a schema that is not valid JSON Schema, a strict
 * schema outside the supported subset (root `type: "object"`; every object with
 * `additionalProperties: false` and every property in `required`; OpenAI's Structured Outputs
 * guide, "Supported schemas"), and JSON mode without the word "json" in the messages. The wording
 * follows real answers quoted in public issues (seen): chat's `param` is `response_format` with
 * code null; the Responses API's is `text.format.schema` with `invalid_json_schema`.
 */
export function checkFormat(
  format: JsonFormat,
  messages: TextMessage[],
  place: FormatPlace,
): Outcome | undefined {
  if (format.type === 'json_object') {
    if (messages.some((m) => /json/i.test(m.text))) return undefined;
    const message =
      place === 'response_format'
        ? "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'."
        : "Response input messages must contain the word 'json' in some form to use 'text.format' of type 'json_object'.";
    return openAiError(
      400,
      message,
      'invalid_request_error',
      null,
      place === 'response_format' ? 'messages' : 'input',
    );
  }
  const problem =
    schemaProblem(format.schema) ?? (format.strict ? strictProblem(format.schema) : null);
  if (!problem) return undefined;
  const message = `Invalid schema for response_format '${format.name}': ${problem}`;
  return place === 'response_format'
    ? openAiError(400, message, 'invalid_request_error', null, 'response_format')
    : openAiError(
        400,
        message,
        'invalid_request_error',
        'invalid_json_schema',
        'text.format.schema',
      );
}

let ajv: Ajv2020 | undefined;
function validator(): Ajv2020 {
  ajv ??= (() => {
    const instance = new Ajv2020({ strict: false, allErrors: true, validateSchema: true });
    addFormats(instance);
    return instance;
  })();
  return ajv;
}

function schemaProblem(schema: Record<string, unknown>): string | null {
  try {
    validator().compile(schema);
    return null;
  } catch (error) {
    return `not a valid JSON Schema (${(error as Error).message}).`;
  }
}

function context(path: string[]): string {
  return `In context=(${path.map((p) => `'${p}'`).join(', ')})`;
}

function strictProblem(schema: Record<string, unknown>): string | null {
  if (schema.type !== 'object') {
    const got = typeof schema.type === 'string' ? schema.type : schema.anyOf ? 'anyOf' : 'None';
    return `schema must be a JSON Schema of 'type: "object"', got 'type: "${got}"'.`;
  }
  return walkStrict(schema, []);
}

function walkStrict(node: unknown, path: string[]): string | null {
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) {
      const found = walkStrict(item, [...path, String(index)]);
      if (found) return found;
    }
    return null;
  }
  if (!isRecord(node)) return null;
  const isObject =
    node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'));
  if (isObject) {
    if (node.additionalProperties !== false) {
      return `${context(path)}, 'additionalProperties' is required to be supplied and to be false.`;
    }
    const keys = isRecord(node.properties) ? Object.keys(node.properties) : [];
    const required = Array.isArray(node.required) ? node.required : [];
    const missing = keys.find((key) => !required.includes(key));
    if (missing !== undefined) {
      return `${context(path)}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
    }
  }
  for (const key of ['properties', '$defs', 'definitions']) {
    const map = node[key];
    if (!isRecord(map)) continue;
    for (const [name, child] of Object.entries(map)) {
      const found = walkStrict(child, [...path, key, name]);
      if (found) return found;
    }
  }
  for (const key of ['items', 'anyOf']) {
    const found = walkStrict(node[key], [...path, key]);
    if (found) return found;
  }
  return null;
}

/**
 * The structured answer: a scripted rule's JSON (or refusal), the script's default, or a value
 * built from the schema (null for nullable fields, as a model that found nothing would answer;
 * the first enum option; empty strings, zero, false, empty arrays).
 */
export function structuredAnswer(
  format: JsonFormat,
  mode: StructuredMode | undefined,
  messages: TextMessage[],
): StructuredAnswer {
  const last = messages.filter((m) => m.role === 'user').at(-1)?.text ?? '';
  const haystack = mode?.matchOn === 'prompt' ? messages.map((m) => m.text).join('\n') : last;
  const rule = mode?.rules?.find((candidate) => ruleMatches(candidate, haystack));
  const base = {
    type: format.type,
    name: format.type === 'json_schema' ? format.name : null,
    strict: format.type === 'json_schema' && format.strict,
  };
  if (rule?.refusal !== undefined) {
    return {
      text: null,
      refusal: rule.refusal,
      record: { ...base, source: 'refusal', conforms: true, errors: [] },
    };
  }
  const scripted = rule?.json ?? mode?.default;
  const schema = format.type === 'json_schema' ? format.schema : { type: 'object' };
  const value = scripted ?? exampleOf(schema, schema, 0);
  const errors = conformity(schema, value);
  return {
    text: JSON.stringify(value),
    refusal: null,
    record: {
      ...base,
      source: scripted ? 'scripted' : 'schema',
      conforms: errors.length === 0,
      errors,
    },
  };
}

function conformity(schema: Record<string, unknown>, value: unknown): string[] {
  try {
    const validate = validator().compile(schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
  } catch (error) {
    return [(error as Error).message];
  }
}

/** Tokens the schema adds to the prompt (OpenAI counts it as input), ≈4 characters each. */
export function formatTokens(format: JsonFormat | null): number {
  if (!format || format.type !== 'json_schema') return 0;
  return Math.ceil(JSON.stringify(format.schema).length / 4);
}

function resolveRef(root: Record<string, unknown>, ref: string): unknown {
  if (!ref.startsWith('#/')) return {};
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) node = isRecord(node) ? node[part] : undefined;
  return node ?? {};
}

function exampleOf(node: unknown, root: Record<string, unknown>, depth: number): unknown {
  if (!isRecord(node) || depth > 12) return null;
  if (typeof node.$ref === 'string') return exampleOf(resolveRef(root, node.$ref), root, depth + 1);
  if ('const' in node) return node.const;
  if (Array.isArray(node.enum)) return node.enum.find((v) => v !== null) ?? null;
  const branches: unknown[] | null = Array.isArray(node.anyOf)
    ? node.anyOf
    : Array.isArray(node.oneOf)
      ? node.oneOf
      : null;
  if (branches) {
    const nullBranch = branches.find((b) => isRecord(b) && b.type === 'null');
    return nullBranch ? null : exampleOf(branches[0], root, depth + 1);
  }
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes('null')) return null;
  switch (types[0]) {
    case 'object': {
      const props = isRecord(node.properties) ? node.properties : {};
      return Object.fromEntries(
        Object.entries(props).map(([key, child]) => [key, exampleOf(child, root, depth + 1)]),
      );
    }
    case 'array': {
      const min = typeof node.minItems === 'number' ? node.minItems : 0;
      return Array.from({ length: min }, () => exampleOf(node.items, root, depth + 1));
    }
    case 'string':
      return exampleString(node);
    case 'integer':
    case 'number':
      return typeof node.minimum === 'number' ? node.minimum : 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

function exampleString(node: Record<string, unknown>): string {
  switch (node.format) {
    case 'date':
      return '2026-01-01';
    case 'date-time':
      return '2026-01-01T00:00:00Z';
    case 'email':
      return 'name@example.com';
    case 'uri':
      return 'https://example.com';
    default:
      return typeof node.minLength === 'number' ? 'x'.repeat(node.minLength) : '';
  }
}
