import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openAiSpecPath, validateOpenAi } from '../../src/ai/spec-validator.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const script = path.join(here, '../../scripts/openai-spec-subset.mjs');
const bundled = path.join(here, '../../spec/openai/openapi.json');

type Spec = { info: { version: string }; components: { schemas: Record<string, unknown> } };

function refsIn(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) refsIn(item, out);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.add(value);
      else refsIn(value, out);
    }
  }
  return out;
}

function resolves(spec: object, ref: string): boolean {
  let node: unknown = spec;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    if (!node || typeof node !== 'object' || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return node !== undefined;
}

describe('the OpenAI spec subset kept in the repository', () => {
  const spec = JSON.parse(readFileSync(bundled, 'utf8')) as Spec;

  it('is what the sandbox validates against unless OPENAI_SPEC_PATH says otherwise', () => {
    const previous = process.env.OPENAI_SPEC_PATH;
    delete process.env.OPENAI_SPEC_PATH;
    try {
      expect(openAiSpecPath()).toBe(bundled);
      const ok = validateOpenAi('CreateChatCompletionRequest', {
        model: 'gpt-4.1-mini',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(ok.result).toMatchObject({ checked: true, valid: true });
      const bad = validateOpenAi('CreateChatCompletionRequest', { model: 'gpt-4.1-mini' });
      expect(bad.result).toMatchObject({ checked: true, valid: false });
      expect(bad.problem?.code).toBe('missing_required_parameter');
    } finally {
      if (previous !== undefined) process.env.OPENAI_SPEC_PATH = previous;
    }
  });

  it('has every schema the fakes name, and every $ref in it resolves inside it', () => {
    const names = Object.keys(spec.components.schemas);
    for (const used of [
      'CreateChatCompletionRequest',
      'CreateResponse',
      'CreateConversationBody',
      'UpdateConversationBody',
      'CreateTranscriptionRequest',
      'ErrorResponse',
    ]) {
      expect(names).toContain(used);
    }
    const dangling = [...refsIn(spec)].filter((ref) => !resolves(spec, ref));
    expect(dangling).toEqual([]);
    expect(spec.info.version).toBe('2.3.0');
  });

  it('is made by the script: reachable schemas only, in the source order, and loud on a gap', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spec-subset-'));
    const op = (ref: string) => ({
      requestBody: { content: { 'application/json': { schema: { $ref: ref } } } },
    });
    const paths: Record<string, Record<string, unknown>> = {
      '/chat/completions': { post: op('#/components/schemas/B') },
      '/responses': { post: op('#/components/schemas/A') },
      '/conversations': { post: {} },
      '/conversations/{conversation_id}': { get: {}, post: {}, delete: {} },
      '/conversations/{conversation_id}/items': { get: {}, post: {} },
      '/audio/transcriptions': { post: {} },
      '/images/generations': { post: op('#/components/schemas/Unused') },
    };
    const source = {
      openapi: '3.1.0',
      info: { version: '9.9.9' },
      paths,
      components: {
        schemas: {
          A: { type: 'object', properties: { c: { $ref: '#/components/schemas/C' } } },
          B: { type: 'string' },
          C: { type: 'integer' },
          Unused: { type: 'object' },
          Error: { type: 'object' },
          ErrorResponse: { properties: { error: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
    const from = path.join(dir, 'full.json');
    const out = path.join(dir, 'subset.json');
    writeFileSync(from, JSON.stringify(source));
    execFileSync(process.execPath, [script, from, out]);
    const subset = JSON.parse(readFileSync(out, 'utf8')) as Spec & { paths: object };
    expect(Object.keys(subset.components.schemas)).toEqual([
      'A',
      'B',
      'C',
      'Error',
      'ErrorResponse',
    ]);
    expect(Object.keys(subset.paths)).not.toContain('/images/generations');
    expect(subset.info.version).toBe('9.9.9');

    delete paths['/audio/transcriptions'];
    writeFileSync(from, JSON.stringify(source));
    expect(() => execFileSync(process.execPath, [script, from, out], { stdio: 'pipe' })).toThrow(
      /no POST \/audio\/transcriptions/,
    );
  });
});
