import { unzipSync } from 'fflate';
import {
  checkI18nKeys,
  checkManifest,
  type Findings,
  type Manifest,
  tourImagePaths,
} from './widget-manifest.js';

export type WidgetPackage = {
  manifest: Manifest;
  /** Archive-relative path → content, e.g. `script.js`, `i18n/en.json`. */
  files: Map<string, Uint8Array>;
  /** Language → parsed i18n file. */
  i18n: Record<string, unknown>;
  warnings: string[];
};

export type ArchiveResult =
  { ok: true; widget: WidgetPackage } | { ok: false; errors: string[]; warnings: string[] };

// Kommo's limit for each logo image.
const MAX_IMAGE_BYTES = 300 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Unpacks and validates a widget.zip like Kommo's upload form. */
export function readWidgetArchive(zip: Uint8Array): ArchiveResult {
  const findings: Findings = { errors: [], warnings: [] };
  const fail = (): ArchiveResult => ({ ok: false, ...findings });

  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (error) {
    findings.errors.push(`not a readable zip archive (${(error as Error).message})`);
    return fail();
  }

  const files = new Map<string, Uint8Array>();
  for (const [name, content] of Object.entries(entries)) {
    // Folder entries and macOS Finder leftovers carry no widget content.
    if (name.endsWith('/') || name.startsWith('__MACOSX/') || name.endsWith('.DS_Store')) continue;
    if (name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) {
      findings.errors.push(`unsafe path in archive: ${name}`);
      continue;
    }
    files.set(name, content);
  }
  return checkWidgetFiles(files, findings);
}

/** Validates a widget's files (from a zip or an unpacked folder), archive-relative paths. */
export function checkWidgetFiles(
  files: Map<string, Uint8Array>,
  findings: Findings = { errors: [], warnings: [] },
): ArchiveResult {
  const fail = (): ArchiveResult => ({ ok: false, ...findings });
  if (files.size === 0) {
    findings.errors.push('the archive is empty');
    return fail();
  }

  const manifestBytes = files.get('manifest.json');
  if (!manifestBytes) {
    const nested = [...files.keys()].find((name) => name.endsWith('/manifest.json'));
    findings.errors.push(
      nested
        ? `files must be at the archive root, not inside a folder (found ${nested}); zip the folder's contents, not the folder`
        : 'manifest.json is missing at the archive root',
    );
    return fail();
  }

  const rawManifest = parseJsonFile('manifest.json', manifestBytes, findings);
  const manifest = rawManifest === undefined ? undefined : checkManifest(rawManifest, findings);
  if (!files.has('script.js')) findings.errors.push('script.js is missing at the archive root');
  const images = [...files.keys()].filter((name) => name.startsWith('images/'));
  if (images.length === 0) findings.errors.push('images/ folder with the widget logos is missing');
  for (const image of images) {
    const size = files.get(image)?.byteLength ?? 0;
    if (size > MAX_IMAGE_BYTES) {
      findings.errors.push(`${image} is larger than 300 KB (${size} bytes)`);
    }
  }
  if (!manifest) return fail();
  for (const image of tourImagePaths(manifest)) {
    if (!files.has(image)) {
      findings.errors.push(`${image} (a tour image in manifest.json) is missing`);
    }
  }

  const i18n: Record<string, unknown> = {};
  for (const lang of manifest.widget.locale) {
    const path = `i18n/${lang}.json`;
    const bytes = files.get(path);
    if (!bytes) {
      findings.errors.push(`${path} is missing (manifest widget.locale lists "${lang}")`);
      continue;
    }
    const messages = parseJsonFile(path, bytes, findings);
    if (messages !== undefined) i18n[lang] = messages;
  }
  if (findings.errors.length > 0) return fail();

  checkI18nKeys(manifest, i18n, findings);
  return { ok: true, widget: { manifest, files, i18n, warnings: findings.warnings } };
}

function parseJsonFile(path: string, bytes: Uint8Array, findings: Findings): unknown {
  // Kommo requires UTF-8 without a byte-order mark.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    findings.errors.push(`${path}: must be UTF-8 without a BOM`);
    return undefined;
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    findings.errors.push(`${path}: is not valid UTF-8`);
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      findings.errors.push(`${path}: must contain a JSON object`);
      return undefined;
    }
    return value;
  } catch (error) {
    findings.errors.push(`${path}: invalid JSON (${(error as Error).message})`);
    return undefined;
  }
}
