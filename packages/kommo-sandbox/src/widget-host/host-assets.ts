import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PAGE_BASE_JS } from './runtime/page-base.js';
import { PAGE_DESIGNER_JS } from './runtime/page-designer.js';
import { PAGE_LOCATIONS_JS } from './runtime/page-locations.js';
import { PAGE_WIDGET_JS } from './runtime/page-widget.js';

// The page's scripts: the real RequireJS and jQuery (as on Kommo's pages) and the host runtime.

export type Asset = { type: string; body: string };

const require = createRequire(import.meta.url);
let vendor: Record<string, Asset> | undefined;

const HOST_CSS = `
body.sandbox-widget-host { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #2e3640; background: #f5f5f5; }
.host-header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 8px 16px; background: #1f2a37; color: #fff; }
.host-header nav a { color: #9ecbff; margin-right: 8px; }
.host-header nav a[aria-current] { color: #fff; font-weight: bold; }
.host-main { padding: 16px; min-height: 240px; }
.work-area, .salesbot-designer-block, .card-widgets__widget { background: #fff; border: 1px solid #dde1e6; padding: 12px; margin-bottom: 12px; }
.salesbot-designer-row { display: flex; gap: 8px; margin: 4px 0; }
.salesbot-designer-row__title { width: 200px; }
.host-log-panel { border-top: 2px solid #1f2a37; background: #fff; padding: 8px 16px; position: relative; z-index: 200; font: 12px/1.4 ui-monospace, monospace; }
.host-counters { display: flex; gap: 16px; margin-bottom: 4px; }
.host-log-panel ol { margin: 0; padding-left: 20px; max-height: 240px; overflow: auto; }
.log-error { color: #b00020; } .log-warn { color: #8a5a00; }
.modal { position: fixed; inset: 0; z-index: 100; }
.modal-overlay { position: absolute; inset: 0; background: rgba(0, 0, 0, .4); }
.modal-scroller { position: relative; max-width: 720px; margin: 40px auto; max-height: calc(100vh - 80px); overflow: auto; }
.modal-body { background: #fff; padding: 20px; border-radius: 4px; }
.widget_settings_block__item_field { margin: 8px 0; display: flex; flex-direction: column; gap: 4px; }
.widget-settings__footer { margin-top: 16px; }
`;

export function hostAsset(name: string): Asset | undefined {
  vendor ??= {
    'require.js': {
      type: 'text/javascript; charset=utf-8',
      body: readFileSync(require.resolve('requirejs/require.js'), 'utf8'),
    },
    'jquery.js': {
      type: 'text/javascript; charset=utf-8',
      body: readFileSync(require.resolve('jquery/dist/jquery.min.js'), 'utf8'),
    },
    'host-runtime.js': {
      type: 'text/javascript; charset=utf-8',
      body: [PAGE_BASE_JS, PAGE_WIDGET_JS, PAGE_LOCATIONS_JS, PAGE_DESIGNER_JS].join('\n'),
    },
    'host.css': { type: 'text/css; charset=utf-8', body: HOST_CSS },
  };
  return vendor[name];
}

const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json; charset=utf-8',
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
  twig: 'text/plain; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  map: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  woff: 'font/woff',
  woff2: 'font/woff2',
};

export function contentTypeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}
