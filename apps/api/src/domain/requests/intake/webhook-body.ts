import { AppError } from '../../../common/errors/app-error';

/** A request body we could not read; its message goes back to the caller as is. */
export class BadWebhookBody extends AppError<'bad_body'> {
  constructor(
    message: string,
    readonly status: 400 | 413 | 415 = 400,
  ) {
    // The intake answers it with its own status and body (webhook routes), never the filter.
    super('bad_body', 'internal', message);
  }
}

export type BodyRecord = Record<string, unknown>;

const MAX_DEPTH = 8;
const MAX_FIELDS = 2_000;
// Kommo's bodies and our block's data nest a few levels; past this a body is refused (400)
// before anything stores it (PostgreSQL's jsonb refuses deep values with an error of its own).
export const MAX_JSON_DEPTH = 32;

/**
 * Reads a webhook body: JSON, or `application/x-www-form-urlencoded` with PHP-style keys
 * (`leads[update][0][id]=1`), which is what Kommo sends. Without a content type the first
 * character decides. An empty body is an empty object.
 */
export function parseWebhookBody(raw: Buffer, contentType: string | undefined): BodyRecord {
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const json =
    type === 'application/json' || type.endsWith('+json') || (type === '' && text.startsWith('{'));
  if (json) return parseJsonObject(text);
  if (type === 'application/x-www-form-urlencoded' || type === '' || type === 'text/plain') {
    return parsePhpForm(text);
  }
  throw new BadWebhookBody(
    `unsupported content type "${type}": send application/json or application/x-www-form-urlencoded`,
    415,
  );
}

function parseJsonObject(text: string): BodyRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BadWebhookBody(`malformed JSON body: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadWebhookBody('the JSON body must be an object');
  }
  if (jsonDepthExceeds(value, MAX_JSON_DEPTH)) {
    throw new BadWebhookBody(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return value as BodyRecord;
}

/** Whether objects and arrays nest deeper than `limit`; iterative, so any depth is safe. */
export function jsonDepthExceeds(root: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth > limit) return true;
    for (const child of Object.values(item.value)) {
      if (typeof child === 'object' && child !== null) {
        stack.push({ value: child, depth: item.depth + 1 });
      }
    }
  }
  return false;
}

/** `a[b][0][c]=x` → `{a: {b: {"0": {c: "x"}}}}`; `a[]=x&a[]=y` → `{a: {"0": "x", "1": "y"}}`. */
export function parsePhpForm(text: string): BodyRecord {
  const root: BodyRecord = Object.create(null) as BodyRecord;
  const pairs = text.split('&').filter((pair) => pair !== '');
  if (pairs.length > MAX_FIELDS) throw new BadWebhookBody(`more than ${MAX_FIELDS} form fields`);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const key = decodeFormPart(rawKey);
    const value = decodeFormPart(rawValue);
    const path = keyPath(key);
    if (!path) throw new BadWebhookBody(`malformed form field name "${key.slice(0, 60)}"`);
    assign(root, path, value);
  }
  return { ...root };
}

function decodeFormPart(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new BadWebhookBody('malformed percent-encoding in the form body');
  }
}

function keyPath(key: string): string[] | null {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match?.[1]) return null;
  const rest = [...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '');
  const path = [match[1], ...rest];
  return path.length > MAX_DEPTH ? null : path;
}

function assign(root: BodyRecord, path: string[], value: string): void {
  let node = root;
  path.forEach((segment, index) => {
    // Keys like __proto__ must not reach Object.prototype.
    if (segment === '__proto__' || segment === 'constructor' || segment === 'prototype') {
      throw new BadWebhookBody(`form field name "${segment}" is not allowed`);
    }
    const name = segment === '' ? String(Object.keys(node).length) : segment;
    if (index === path.length - 1) {
      node[name] = value;
      return;
    }
    const next = node[name];
    if (typeof next === 'object' && next !== null) {
      node = next as BodyRecord;
    } else {
      const child = Object.create(null) as BodyRecord;
      node[name] = child;
      node = child;
    }
  });
}
