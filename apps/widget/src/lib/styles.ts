// Every rule sits under `.gptb-root`, so nothing leaks into Kommo's page and Kommo's rules
// reach us only through inheritance. Injected once, by id.
const STYLE_ID = 'gptb-widget-css';

const CSS = `
.gptb-root { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1f2d3d; }
.gptb-root * { box-sizing: border-box; }
.gptb-root .gptb-section { border: 1px solid #dfe4ea; border-radius: 6px; padding: 14px 16px; margin: 0 0 14px; background: #fff; }
.gptb-root .gptb-section h3 { margin: 0 0 6px; font-size: 15px; }
.gptb-root .gptb-intro { margin: 0 0 10px; color: #5b6b7c; }
.gptb-root .gptb-row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
.gptb-root label { display: block; font-weight: 600; margin: 8px 0 3px; }
.gptb-root input[type=text], .gptb-root input[type=password], .gptb-root input[type=url],
.gptb-root select, .gptb-root textarea { width: 100%; padding: 6px 8px; border: 1px solid #c5ced8; border-radius: 4px; font: inherit; }
.gptb-root textarea { min-height: 70px; resize: vertical; }
.gptb-root .gptb-url { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; flex: 1 1 320px; }
.gptb-root button { font: inherit; padding: 5px 12px; border-radius: 4px; border: 1px solid #1d6fb8; background: #fff; color: #1d6fb8; cursor: pointer; }
.gptb-root button.gptb-primary { background: #1d6fb8; color: #fff; }
.gptb-root button:disabled { opacity: .55; cursor: default; }
.gptb-root button:focus-visible, .gptb-root input:focus-visible, .gptb-root select:focus-visible,
.gptb-root textarea:focus-visible, .gptb-root a:focus-visible { outline: 2px solid #f0a30a; outline-offset: 1px; }
.gptb-root table { border-collapse: collapse; width: 100%; }
.gptb-root th, .gptb-root td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eef1f4; }
.gptb-root .gptb-ok { color: #1e7b34; }
.gptb-root .gptb-bad { color: #b3261e; }
.gptb-root .gptb-muted { color: #5b6b7c; }
.gptb-root .gptb-status { font-weight: 600; }
.gptb-root .gptb-banner { padding: 8px 10px; border-radius: 4px; background: #fff4d6; border: 1px solid #f0c36d; margin: 6px 0; }
.gptb-root .gptb-error { padding: 8px 10px; border-radius: 4px; background: #fdecea; border: 1px solid #f5b5ae; margin: 6px 0; white-space: pre-wrap; }
.gptb-root .gptb-answer { padding: 8px 10px; border-radius: 4px; background: #eef7ee; border: 1px solid #b9dfbe; white-space: pre-wrap; }
.gptb-root .gptb-meter { height: 10px; background: #eef1f4; border-radius: 5px; overflow: hidden; }
.gptb-root .gptb-meter > span { display: block; height: 100%; background: #1d6fb8; }
.gptb-root .gptb-chart { display: flex; align-items: flex-end; gap: 2px; height: 90px; border-bottom: 1px solid #c5ced8; margin-top: 8px; }
.gptb-root .gptb-chart > span { flex: 1 1 0; min-width: 3px; background: #6aa5d8; }
.gptb-root ol.gptb-steps { padding-left: 20px; margin: 6px 0; }
.gptb-root pre { max-height: 160px; overflow: auto; background: #f6f8fa; padding: 6px; font-size: 11px; }
`;

export function injectStyles(doc: Document = document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}
