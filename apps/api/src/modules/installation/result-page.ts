const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The small page a browser lands on after Kommo's consent window. */
export function resultPage(title: string, message: string, ok: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GPT Bridge for Kommo: ${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2937}
h1{font-size:1.4rem;color:${ok ? '#166534' : '#991b1b'}}</style></head>
<body><h1 data-testid="install-result" data-ok="${ok}">${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p></body></html>`;
}
