import { isRecord } from './bot-schema.js';

/** A step fails with this; the engine records it and follows the bot's `error` branch. */
export class StepError extends Error {}

/**
 * Compares two rendered terms. Equality and `contains` ignore case and surrounding spaces, as
 * Kommo's condition step does for chat text. `filled` / `empty` only look at term1.
 */
export function compareTerms(term1: string, term2: string, operation: unknown): boolean {
  const op = typeof operation === 'string' ? operation.trim().toLowerCase() : '=';
  const a = term1.trim().toLowerCase();
  const b = term2.trim().toLowerCase();
  switch (op) {
    case '=':
    case '==':
    case 'eq':
    case 'equal':
    case 'equals':
    case 'is':
      return a === b;
    case '!=':
    case '<>':
    case 'ne':
    case 'not_equal':
    case 'not_equals':
    case 'is_not':
      return a !== b;
    case 'contains':
    case 'include':
    case 'includes':
    case 'like':
      return a.includes(b);
    case 'not_contains':
    case 'not_include':
    case 'not_like':
      return !a.includes(b);
    case 'filled':
    case 'is_filled':
    case 'not_empty':
    case 'is_not_empty':
    case 'exists':
      return a !== '';
    case 'empty':
    case 'is_empty':
    case 'not_filled':
    case 'not_exists':
      return a === '';
    case 'starts_with':
      return a.startsWith(b);
    case 'ends_with':
      return a.endsWith(b);
    case '>':
    case '<':
    case '>=':
    case '<=':
      return compareNumbers(term1, term2, op);
    case 'regex':
    case 'matches':
      return toRegExp(term2).test(term1);
    default:
      throw new StepError(`unknown condition operation "${String(operation)}"`);
  }
}

export type TermRenderer = (term: unknown) => string;

/** The plural form: `{logic: and|or, conditions: [{term1, term2, operation}], result: [...]}`. */
export function evaluateConditions(params: Record<string, unknown>, render: TermRenderer): boolean {
  const list = Array.isArray(params.conditions) ? params.conditions : [];
  const logic = typeof params.logic === 'string' ? params.logic.toLowerCase() : 'and';
  if (logic !== 'and' && logic !== 'or') {
    throw new StepError(`unknown logic "${JSON.stringify(params.logic)}"`);
  }
  const results = list.map((item, index) => {
    if (!isRecord(item)) throw new StepError(`conditions[${index}] is not an object`);
    return compareTerms(render(item.term1), render(item.term2), item.operation);
  });
  if (results.length === 0) return logic === 'and';
  return logic === 'and' ? results.every(Boolean) : results.some(Boolean);
}

/** The `validations` handler: `{client_value, type: simple|regex|email|phone|range_numbers, ...}`. */
export function evaluateValidation(item: Record<string, unknown>, render: TermRenderer): boolean {
  const value = render(item.client_value);
  const op = typeof item.operation === 'string' ? item.operation : 'contains';
  const negate = op === 'not_contains' || op === 'not_equal';
  let hit: boolean;
  switch (item.type) {
    case 'regex':
      hit = toRegExp(render(item.condition_value)).test(value);
      break;
    case 'email':
      hit = /[^\s@]+@[^\s@]+\.[^\s@]+/.test(value);
      break;
    case 'phone':
      hit = /\+?\d[\d\s()-]{6,}\d/.test(value);
      break;
    case 'range_numbers': {
      const range = isRecord(item.condition_value) ? item.condition_value : {};
      const numbers = (value.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
      hit = numbers.some(
        (n) => n >= Number(range.from ?? -Infinity) && n <= Number(range.to ?? Infinity),
      );
      break;
    }
    default:
      hit = compareTerms(value, render(item.condition_value), op === 'equal' ? '=' : op);
      return hit;
  }
  return negate ? !hit : hit;
}

/** Accepts PHP-style `/pattern/iu` as Kommo stores it, or a bare pattern. */
export function toRegExp(source: string): RegExp {
  const match = /^\/(.*)\/([a-z]*)$/s.exec(source);
  const pattern = match?.[1] ?? source;
  const flags = [...new Set((match?.[2] ?? '').split('').filter((f) => 'imsu'.includes(f)))].join(
    '',
  );
  try {
    return new RegExp(pattern, flags);
  } catch {
    throw new StepError(`invalid regular expression ${source}`);
  }
}

function compareNumbers(term1: string, term2: string, op: string): boolean {
  const a = Number(term1.replace(',', '.'));
  const b = Number(term2.replace(',', '.'));
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (op === '>') return a > b;
  if (op === '<') return a < b;
  return op === '>=' ? a >= b : a <= b;
}
