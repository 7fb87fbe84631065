import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it, vi } from 'vitest';

// Opens the widget.zip the build makes and checks it the way Kommo's upload form and widget
// loader would see it (docs/kommo-contract.md §6). Needs dist/app.js: the build runs before tests.
const ROOT = path.resolve(__dirname, '..');
const API_URL = 'https://bridge.example.test';
const CODE = 'gpt_bridge_check';
const LANGS = ['en', 'pt', 'es'];
const LOGOS: Record<string, [number, number]> = {
  'images/logo_min.png': [84, 84],
  'images/logo_medium.png': [240, 84],
  'images/logo_main.png': [400, 272],
  'images/logo_small.png': [108, 108],
  'images/logo.png': [130, 100],
};
const CALLBACKS: Record<string, string> = {
  render: 'render',
  init: 'init',
  settings: 'settings',
  onSave: 'onSave',
  destroy: 'destroy',
  advancedSettings: 'advancedSettings',
  salesbotDesignerSettings: 'salesbotDesignerSettings',
  onSalesbotDesignerSave: 'onSalesbotDesignerSave',
};

type Json = Record<string, unknown>;
let files: Record<string, Uint8Array>;
const text = (name: string) => new TextDecoder('utf-8', { fatal: true }).decode(files[name]);
const json = (name: string) => JSON.parse(text(name)) as Json;

/** `a.b.c` → value, in a parsed i18n file. */
function lookup(tree: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Json | undefined)?.[part], tree);
}

function keysOf(tree: Json, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null
      ? keysOf(value as Json, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}

/** Runs an AMD file with a `define` that records what it was given. */
function loadAmd(source: string): { deps: string[]; factory: (...args: unknown[]) => unknown } {
  let captured: { deps: string[]; factory: (...args: unknown[]) => unknown } | undefined;
  const define = (deps: string[], factory: (...args: unknown[]) => unknown) => {
    captured = { deps, factory };
  };
  Object.assign(define, { amd: {} });
  runInNewContext(source, { define, window: {}, self: {}, globalThis: {} });
  if (!captured) throw new Error('the file did not call define()');
  return captured;
}

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist/app.js'))) {
    throw new Error(
      'apps/widget/dist/app.js is missing: run pnpm --filter @gpt-bridge/widget build',
    );
  }
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'widget-zip-')), 'widget.zip');
  execFileSync(
    process.execPath,
    ['scripts/pack.mjs', '--api-url', `${API_URL}/`, '--code', CODE, '--out', out],
    {
      cwd: ROOT,
      stdio: 'pipe',
    },
  );
  files = unzipSync(readFileSync(out));
});

describe('widget.zip', () => {
  it('holds its files at the archive root, as UTF-8 without BOM', () => {
    const names = Object.keys(files).sort();
    expect(names).toEqual(
      [
        'app.js',
        'manifest.json',
        'script.js',
        ...LANGS.map((l) => `i18n/${l}.json`),
        ...Object.keys(LOGOS),
        ...LANGS.map((l) => `images/tour_1_${l}.png`),
        // Packed only when the bundle emits CSS.
        ...(existsSync(path.join(ROOT, 'dist/style.css')) ? ['style.css'] : []),
      ].sort(),
    );
    for (const name of names.filter((n) => !n.endsWith('.png'))) {
      expect([...files[name]!.subarray(0, 3)], name).not.toEqual([0xef, 0xbb, 0xbf]);
      expect(() => text(name), name).not.toThrow();
      if (name.endsWith('.json')) expect(() => json(name), name).not.toThrow();
      // Packing fills #API_URL# and #WIDGET_CODE#; the bundle is ours only through src/.
      if (name !== 'app.js') expect(text(name), name).not.toMatch(/#[A-Z_]+#/);
    }
  });

  it('has a manifest Kommo accepts, every text an i18n key present in all languages', () => {
    const manifest = json('manifest.json');
    const widget = manifest.widget as Json;
    expect(widget.interface_version).toBe(2);
    expect(widget.locale).toEqual(LANGS);
    expect(manifest.locations).toEqual(
      expect.arrayContaining(['settings', 'advanced_settings', 'salesbot_designer', 'lcard-1']),
    );
    const keys: string[] = [widget.name, widget.description, widget.short_description].map(String);
    for (const [name, setting] of Object.entries(manifest.settings as Record<string, Json>)) {
      expect(['text', 'pass', 'users', 'users_lp', 'custom'], name).toContain(setting.type);
      keys.push(String(setting.name));
    }
    keys.push(String((manifest.advanced as Json).title));
    const tour = manifest.tour as { is_tour: boolean; tour_images: Json; tour_description: string };
    expect(tour.is_tour).toBe(true);
    keys.push(tour.tour_description);
    const designer = manifest.salesbot_designer as Record<string, Json>;
    const logo = designer.logo as unknown as string;
    expect(logo).toMatch(new RegExp(`^/widgets/${CODE}/images/`));
    expect(files[logo.replace(`/widgets/${CODE}/`, '')], logo).toBeDefined();
    const handlers = Object.entries(designer).filter(([key]) => key !== 'logo');
    expect(handlers.map(([key]) => key)).toEqual(['ask_assistant', 'ask_chatgpt']);
    for (const [, handler] of handlers) {
      keys.push(String(handler.name));
      for (const setting of Object.values(handler.settings as Record<string, Json>)) {
        expect(['text', 'numeric', 'url']).toContain(setting.type);
        keys.push(String(setting.name));
      }
    }
    for (const lang of LANGS) {
      const i18n = json(`i18n/${lang}.json`);
      for (const key of keys) {
        expect(lookup(i18n, key), `${lang}: ${key}`).toEqual(expect.any(String));
      }
    }
    expect(text('manifest.json')).not.toMatch(/#[A-Z_]+#/);
  });

  it('has every i18n key in all three languages, none empty', () => {
    const english = keysOf(json('i18n/en.json')).sort();
    for (const lang of LANGS) {
      const i18n = json(`i18n/${lang}.json`);
      expect(keysOf(i18n).sort(), lang).toEqual(english);
      for (const key of english) {
        expect(String(lookup(i18n, key)).trim(), `${lang}: ${key}`).not.toBe('');
      }
    }
  });

  it('has PNG logos of the listed sizes, each under 300 KB', () => {
    for (const [name, [width, height]] of Object.entries(LOGOS)) {
      const png = Buffer.from(files[name]!);
      expect(png.subarray(0, 8).toString('hex'), name).toBe('89504e470d0a1a0a');
      expect(png.subarray(12, 16).toString('ascii'), name).toBe('IHDR');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], name).toEqual([width, height]);
      expect(png.length, name).toBeLessThan(300 * 1024);
    }
  });

  it('has a tour in every language: PNG screenshots in the archive, each under 300 KB', () => {
    const tour = json('manifest.json').tour as { tour_images: Record<string, string[]> };
    expect(Object.keys(tour.tour_images).sort()).toEqual([...LANGS].sort());
    for (const lang of LANGS) {
      const images = tour.tour_images[lang] ?? [];
      expect(images.length, lang).toBeGreaterThan(0);
      for (const image of images) {
        const png = Buffer.from(files[image.replace(/^\//, '')] ?? []);
        expect(png.subarray(0, 8).toString('hex'), image).toBe('89504e470d0a1a0a');
        expect(png.readUInt32BE(16), image).toBeGreaterThanOrEqual(400);
        expect(png.length, image).toBeLessThan(300 * 1024);
      }
    }
  });

  it('has a script.js whose callbacks hand the widget to the bundle', () => {
    const source = text('script.js');
    expect(source).toContain(`'${API_URL}'`);
    expect(source).not.toMatch(/#[A-Z_]+#/);
    const { deps, factory } = loadAmd(source);
    expect(deps).toEqual(['jquery', './app.js']);
    const app = Object.fromEntries(
      Object.values(CALLBACKS).map((name) => [name, vi.fn((..._args: unknown[]) => 'from-app')]),
    );
    const $ = vi.fn();
    const Widget = factory($, app) as new () => {
      callbacks: Record<string, (...args: unknown[]) => unknown>;
    };
    const widget = new Widget();
    for (const name of ['render', 'init', 'bind_actions']) {
      expect(widget.callbacks[name]!(), name).toBe(true);
    }
    widget.callbacks.settings!([{ tagName: 'DIV' }]);
    widget.callbacks.onSave!({ active: 'Y' });
    widget.callbacks.destroy!();
    widget.callbacks.advancedSettings!();
    widget.callbacks.salesbotDesignerSettings!([{}], () => '', { prompt: 'p' });
    expect(widget.callbacks.onSalesbotDesignerSave!('ask_assistant', { prompt: 'p' })).toBe(
      'from-app',
    );
    for (const name of Object.values(CALLBACKS)) {
      expect(app[name], name).toHaveBeenCalledTimes(1);
      expect(app[name]!.mock.calls[0]![0], name).toBe(widget);
    }
    expect(app.init!.mock.calls[0]![1]).toMatchObject({ apiUrl: API_URL });
    expect(app.onSalesbotDesignerSave!.mock.calls[0]!.slice(2)).toEqual([
      'ask_assistant',
      { prompt: 'p' },
    ]);
  });

  it('has an AMD app.js exporting one function per callback', () => {
    const { deps, factory } = loadAmd(text('app.js'));
    const exports: Json = {};
    const result = factory(...deps.map((dep) => (dep === 'exports' ? exports : undefined)));
    const app = (result ?? exports) as Json;
    for (const name of Object.values(CALLBACKS)) expect(typeof app[name], name).toBe('function');
  });
});
