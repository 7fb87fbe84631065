// Packs widget.zip for Kommo's upload form: files at the archive root (manifest.json, script.js,
// app.js, i18n/, images/), UTF-8 without BOM. Our API's public URL is written into script.js and
// the widget code into manifest.json's designer logo path, because Kommo serves the files as they
// are. Usage: node scripts/pack.mjs [--api-url URL] [--code CODE] [--out PATH]
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STATIC = path.join(ROOT, 'static');
const DIST = path.join(ROOT, 'dist');
// A fixed date keeps the archive byte-identical for the same inputs.
const MTIME = new Date('2026-01-01T00:00:00Z');

function fail(message) {
  process.stderr.write(`pack: ${message}\n`);
  process.exit(1);
}

function option(name) {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return undefined;
  const value = process.argv[index + 1];
  if (value === undefined || value.startsWith('--')) fail(`--${name} needs a value`);
  return value;
}

function apiUrl() {
  const raw =
    option('api-url') ??
    process.env.WIDGET_API_URL ??
    process.env.PUBLIC_URL ??
    'http://127.0.0.1:3000';
  let url;
  try {
    url = new URL(raw);
  } catch {
    fail(`the API URL "${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('the API URL must be http(s)');
  // script.js appends paths to it, so a query, fragment or credentials would break every call.
  if (url.search || url.hash || url.username || url.password) {
    fail(`the API URL "${raw}" must be a plain base URL (no query, fragment or credentials)`);
  }
  return url.href.replace(/\/+$/, '');
}

const code = option('code') ?? process.env.WIDGET_CODE ?? 'gpt_bridge';
if (!/^\w+$/.test(code)) fail(`the widget code "${code}" may hold letters, digits and _ only`);
const out = path.resolve(option('out') ?? path.join(DIST, 'widget.zip'));
const appJs = path.join(DIST, 'app.js');
if (!existsSync(appJs)) {
  fail(`${appJs} is missing: run "vite build" first (pnpm --filter @gpt-bridge/widget build)`);
}

const api = apiUrl();
const text = (file) => readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
const files = {
  'manifest.json': text(path.join(STATIC, 'manifest.json')).replaceAll('#WIDGET_CODE#', code),
  'script.js': text(path.join(STATIC, 'script.js')).replaceAll('#API_URL#', api),
  'app.js': text(appJs),
};
// Only if the bundle imports CSS (vite.config.ts names it style.css); today styles are injected by JS.
const css = path.join(DIST, 'style.css');
if (existsSync(css)) files['style.css'] = text(css);
for (const folder of ['i18n', 'images']) {
  for (const name of readdirSync(path.join(STATIC, folder)).sort()) {
    const file = path.join(STATIC, folder, name);
    files[`${folder}/${name}`] = name.endsWith('.json') ? text(file) : readFileSync(file);
  }
}
const entries = Object.fromEntries(
  Object.entries(files).map(([name, content]) => [
    name,
    [typeof content === 'string' ? Buffer.from(content, 'utf8') : content, { mtime: MTIME }],
  ]),
);
const zip = zipSync(entries, { level: 9 });
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, zip);
process.stdout.write(`widget.zip: ${out} (${(zip.length / 1024).toFixed(1)} KB), API ${api}\n`);
