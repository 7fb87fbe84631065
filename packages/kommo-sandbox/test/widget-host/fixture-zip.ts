import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/widget/', import.meta.url));

/** The fixture widget's files, archive-relative path → bytes. */
export function fixtureFiles(): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(FIXTURE_DIR, path).split('\\').join('/')] = readFileSync(path);
    }
  };
  walk(FIXTURE_DIR);
  return files;
}

export type ZipOptions = {
  /** Put everything inside this folder (the classic packaging mistake). */
  folder?: string;
  omit?: string[];
  /** Replace or add files; strings are UTF-8 encoded, objects JSON-encoded. */
  set?: Record<string, string | Uint8Array | object>;
};

/** Zips the fixture widget at test time, optionally broken in one specific way. */
export function fixtureZip(options: ZipOptions = {}): Uint8Array {
  const files = fixtureFiles();
  for (const name of options.omit ?? []) delete files[name];
  for (const [name, content] of Object.entries(options.set ?? {})) {
    files[name] =
      content instanceof Uint8Array
        ? content
        : new TextEncoder().encode(typeof content === 'string' ? content : JSON.stringify(content));
  }
  const prefix = options.folder ? `${options.folder}/` : '';
  return zipSync(
    Object.fromEntries(Object.entries(files).map(([name, bytes]) => [prefix + name, bytes])),
  );
}

export function fixtureManifest(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, 'manifest.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}

export async function uploadZip(base: string, zip: Uint8Array, query = ''): Promise<Response> {
  return fetch(`${base}/_sandbox/widgets${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/zip' },
    body: zip,
  });
}
