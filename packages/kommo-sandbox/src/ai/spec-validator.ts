import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default export arrives one level down.
const addFormats = addFormatsModule.default;

export type ValidationResult =
  | { checked: true; schema: string; valid: boolean; errors: string[] }
  | { checked: false; schema: string; reason: string };

/** A validation failure phrased the way OpenAI phrases a 400. */
export type SpecProblem = { message: string; param: string | null; code: string };

type Loaded = {
  strict: Ajv2020;
  multipart: Ajv2020;
  validators: Map<string, ValidateFunction>;
  loadMs: number;
  compileMs: Record<string, number>;
};

const SCHEMA_ID = 'openai-spec';
// One load per spec path per process: many sandboxes run in one test run.
const cache = new Map<string, Loaded | Error>();

// The subset of OpenAI's spec the fakes need, kept in this package (spec/README.md says how it is
// made); the same relative path works from src/ai and dist/ai. OPENAI_SPEC_PATH points elsewhere,
// e.g. at the full spec.
const BUNDLED_SPEC = fileURLToPath(new URL('../../spec/openai/openapi.json', import.meta.url));

export function openAiSpecPath(): string {
  return process.env.OPENAI_SPEC_PATH ?? BUNDLED_SPEC;
}

/**
 * OpenAPI 3.0 leftovers in OpenAI's 3.1 spec: `nullable` becomes a null type/anyOf branch, and
 * `oneOf` becomes `anyOf` because several unions overlap (an input message matches two branches)
 * and the real API accepts them.
 */
function normalise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalise);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = normalise(value);
  if (Array.isArray(out.oneOf) && out.anyOf === undefined) {
    out.anyOf = out.oneOf;
    delete out.oneOf;
  }
  const nullable = out.nullable === true;
  delete out.nullable;
  if (!nullable) return out;
  const values = out.enum;
  if (Array.isArray(values) && !values.includes(null)) out.enum = [...(values as unknown[]), null];
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  else if (Array.isArray(out.type)) out.type = [...new Set([...(out.type as string[]), 'null'])];
  else return { anyOf: [out, { type: 'null' }] };
  return out;
}

function createAjv(schemas: unknown, formats: Set<string>, multipart: boolean): Ajv2020 {
  // Multipart fields arrive as strings; coercion lets `temperature=0.2` pass as a number.
  const ajv = new Ajv2020({
    strict: false,
    validateSchema: false,
    allErrors: false,
    coerceTypes: multipart ? 'array' : false,
  });
  addFormats(ajv);
  for (const format of formats) if (!ajv.formats[format]) ajv.addFormat(format, true);
  ajv.addSchema({ $id: SCHEMA_ID, components: { schemas } });
  return ajv;
}

function load(path: string): Loaded | Error {
  const cached = cache.get(path);
  if (cached) return cached;
  let loaded: Loaded | Error;
  try {
    const started = performance.now();
    const spec = JSON.parse(readFileSync(path, 'utf8')) as { components: { schemas: unknown } };
    const schemas = normalise(spec.components.schemas);
    const formats = new Set<string>();
    JSON.stringify(schemas, (key, value: unknown) => {
      if (key === 'format' && typeof value === 'string') formats.add(value);
      return value;
    });
    loaded = {
      strict: createAjv(schemas, formats, false),
      multipart: createAjv(schemas, formats, true),
      validators: new Map(),
      loadMs: Math.round(performance.now() - started),
      compileMs: {},
    };
  } catch (error) {
    loaded = error instanceof Error ? error : new Error(String(error));
  }
  cache.set(path, loaded);
  return loaded;
}

function validatorFor(loaded: Loaded, schema: string, multipart: boolean): ValidateFunction {
  const cacheKey = `${multipart ? 'multipart:' : ''}${schema}`;
  let validate = loaded.validators.get(cacheKey);
  if (!validate) {
    const started = performance.now();
    const ajv = multipart ? loaded.multipart : loaded.strict;
    validate = ajv.compile({ $ref: `${SCHEMA_ID}#/components/schemas/${schema}` });
    loaded.compileMs[cacheKey] = Math.round(performance.now() - started);
    loaded.validators.set(cacheKey, validate);
  }
  return validate;
}

/** Validates `data` against `#/components/schemas/<schema>` of OpenAI's spec. */
export function validateOpenAi(
  schema: string,
  data: unknown,
  options: { multipart?: boolean } = {},
): { result: ValidationResult; problem?: SpecProblem } {
  const loaded = load(openAiSpecPath());
  if (loaded instanceof Error) {
    return { result: { checked: false, schema, reason: `spec unavailable: ${loaded.message}` } };
  }
  const validate = validatorFor(loaded, schema, options.multipart ?? false);
  // Coercion mutates, so multipart data is validated on a copy.
  const target = options.multipart ? structuredClone(data) : data;
  if (validate(target)) return { result: { checked: true, schema, valid: true, errors: [] } };
  const errors = validate.errors ?? [];
  return {
    result: {
      checked: true,
      schema,
      valid: false,
      errors: errors.slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`),
    },
    problem: describe(errors),
  };
}

/** How long loading and compiling took (for reports and the control API). */
export function specTimings(): {
  path: string;
  loadMs: number;
  compileMs: Record<string, number>;
} | null {
  const path = openAiSpecPath();
  const loaded = cache.get(path);
  if (!loaded || loaded instanceof Error) return null;
  return { path, loadMs: loaded.loadMs, compileMs: { ...loaded.compileMs } };
}

/** `/messages/0/content` → `messages[0].content`. */
function toParam(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce(
      (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
      '',
    );
}

function depth(error: ErrorObject): number {
  return error.instancePath.split('/').length;
}

function describe(errors: ErrorObject[]): SpecProblem {
  // Union branches report at several depths; the deepest path is where the body went wrong.
  const deepest = Math.max(...errors.map(depth));
  const atPath = errors.filter((e) => depth(e) === deepest && e.keyword !== 'anyOf');
  const first = atPath[0] ?? errors[0];
  if (!first) return { message: 'Invalid request body.', param: null, code: 'invalid_value' };
  const param = toParam(first.instancePath);
  if (first.keyword === 'required') {
    const missing = (first.params as { missingProperty: string }).missingProperty;
    const full = param ? `${param}.${missing}` : missing;
    return {
      message: `Missing required parameter: '${full}'.`,
      param: full,
      code: 'missing_required_parameter',
    };
  }
  const name = param || 'body';
  if (first.keyword === 'minItems' && (first.params as { limit: number }).limit === 1) {
    return {
      message: `Invalid '${name}': empty array. Expected an array with minimum length 1, but got an empty array instead.`,
      param,
      code: 'empty_array',
    };
  }
  const types = atPath
    .filter((e) => e.keyword === 'type')
    .map((e) => (e.params as { type: string | string[] }).type);
  if (first.keyword === 'type' && types.length > 0) {
    const expected = [...new Set(types.flat())].join(', ');
    return {
      message: `Invalid type for '${name}': expected one of ${expected}.`,
      param,
      code: 'invalid_type',
    };
  }
  if (first.keyword === 'additionalProperties') {
    const extra = (first.params as { additionalProperty: string }).additionalProperty;
    return {
      message: `Unrecognized request argument supplied: ${param ? `${param}.` : ''}${extra}`,
      param: param ? `${param}.${extra}` : extra,
      code: 'unknown_parameter',
    };
  }
  return {
    message: `Invalid '${name}': ${first.message ?? first.keyword}.`,
    param,
    code: 'invalid_value',
  };
}
