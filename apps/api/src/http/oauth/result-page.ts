import { createHash } from 'node:crypto';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// One constant style element, so the Content-Security-Policy can allow exactly it by its hash
// (docs/architecture.md#http-hardening) instead of every inline style.
const STYLE = `body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2937}
h1{font-size:1.4rem;color:#991b1b}h1[data-ok="true"]{color:#166534}`;

/** The CSP source that allows the result page's style element. */
export const RESULT_PAGE_STYLE_SOURCE = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** The small page a browser lands on after Kommo's consent window. */
export function resultPage(title: string, message: string, ok: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GPT Bridge for Kommo: ${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style></head>
<body><h1 data-testid="install-result" data-ok="${ok}">${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p></body></html>`;
}
