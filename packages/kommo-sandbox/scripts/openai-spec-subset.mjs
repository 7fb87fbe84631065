// Cuts OpenAI's published OpenAPI spec down to the operations the sandbox fakes, with every schema
// they reach, so the sandbox validates against a copy inside the repository (docs in spec/README.md).
//
//   node packages/kommo-sandbox/scripts/openai-spec-subset.mjs <openapi.json> [out.json]
//
// <openapi.json> is the full spec from github.com/openai/openai-openapi (MIT). Output is stable:
// the same input gives the same bytes, so a refresh shows as a readable diff.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The operations the fake OpenAI serves (packages/kommo-sandbox/src/ai/openai-*.ts). */
export const OPERATIONS = [
  ['/chat/completions', 'post'],
  ['/responses', 'post'],
  ['/conversations', 'post'],
  ['/conversations/{conversation_id}', 'get'],
  ['/conversations/{conversation_id}', 'post'],
  ['/conversations/{conversation_id}', 'delete'],
  ['/conversations/{conversation_id}/items', 'get'],
  ['/conversations/{conversation_id}/items', 'post'],
  ['/audio/transcriptions', 'post'],
];

/** Schemas kept even when no operation names them: the error body every fake error uses. */
export const EXTRA_SCHEMAS = ['Error', 'ErrorResponse'];

const COMPONENT_REF = /^#\/components\/([^/]+)\/([^/]+)$/;

/** Every `#/components/<kind>/<name>` reachable from `roots`, per kind in the spec's own order. */
function componentClosure(spec, roots) {
  const all = spec.components ?? {};
  const seen = new Map();
  const queue = [...roots];
  while (queue.length > 0) {
    const node = queue.pop();
    if (Array.isArray(node)) queue.push(...node);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        const ref = key === '$ref' && typeof value === 'string' ? COMPONENT_REF.exec(value) : null;
        if (!ref) {
          queue.push(value);
          continue;
        }
        const [, kind, name] = ref;
        if (!all[kind] || !(name in all[kind])) throw new Error(`dangling $ref ${value}`);
        const names = seen.get(kind) ?? new Set();
        seen.set(kind, names);
        if (!names.has(name)) {
          names.add(name);
          queue.push(all[kind][name]);
        }
      }
    }
  }
  const components = {};
  for (const kind of Object.keys(all).filter((k) => seen.has(k))) {
    const names = seen.get(kind);
    components[kind] = Object.fromEntries(
      Object.keys(all[kind])
        .filter((name) => names.has(name))
        .map((name) => [name, all[kind][name]]),
    );
  }
  return components;
}

export function subsetOf(spec) {
  const paths = {};
  for (const [route, method] of OPERATIONS) {
    const operation = spec.paths?.[route]?.[method];
    if (!operation) throw new Error(`the spec has no ${method.toUpperCase()} ${route}`);
    paths[route] = { ...paths[route], [method]: operation };
  }
  const roots = [paths, ...EXTRA_SCHEMAS.map((name) => ({ $ref: `#/components/schemas/${name}` }))];
  return {
    openapi: spec.openapi,
    info: {
      ...spec.info,
      'x-subset-of': 'https://github.com/openai/openai-openapi (openapi.json)',
      'x-subset-operations': OPERATIONS.map(
        ([route, method]) => `${method.toUpperCase()} ${route}`,
      ),
    },
    servers: spec.servers,
    paths,
    components: componentClosure(spec, roots),
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const [from, to] = process.argv.slice(2);
  if (!from) {
    console.error('usage: openai-spec-subset.mjs <full openapi.json> [out.json]');
    process.exit(2);
  }
  const here = path.dirname(fileURLToPath(import.meta.url));
  const out = to ?? path.join(here, '..', 'spec', 'openai', 'openapi.json');
  const subset = subsetOf(JSON.parse(readFileSync(from, 'utf8')));
  writeFileSync(out, `${JSON.stringify(subset, null, 1)}\n`);
  const count = Object.keys(subset.components.schemas).length;
  console.log(`wrote ${out}: OpenAI spec ${subset.info.version}, ${count} schemas`);
}
