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
.gptb-root .gptb-check { display: block; margin: 6px 0; font-weight: normal; }
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
/* The lead card's block: Kommo's right panel is narrow, so smaller text and stacked rows. */
.gptb-root.gptb-lcard { font-size: 13px; line-height: 1.4; }
.gptb-root.gptb-lcard .gptb-lcard-block { padding: 6px 0 10px; }
.gptb-root.gptb-lcard .gptb-lcard-block + .gptb-lcard-block { border-top: 1px solid #dfe4ea; }
.gptb-root.gptb-lcard h3 { margin: 0 0 6px; font-size: 13px; }
.gptb-root.gptb-lcard .gptb-lcard-head { display: flex; justify-content: space-between; align-items: baseline; gap: 6px; }
.gptb-root.gptb-lcard .gptb-lcard-state { display: flex; align-items: center; gap: 6px; margin: 0 0 4px; font-weight: 600; }
.gptb-root.gptb-lcard .gptb-lcard-dot { flex: 0 0 8px; width: 8px; height: 8px; border-radius: 50%; background: #1e7b34; }
.gptb-root.gptb-lcard .gptb-lcard-paused .gptb-lcard-dot { background: #d08a00; }
.gptb-root.gptb-lcard ul.gptb-lcard-facts { list-style: none; margin: 0 0 8px; padding: 0; color: #5b6b7c; }
.gptb-root.gptb-lcard .gptb-lcard-note { margin: 8px 0 0; font-size: 12px; }
.gptb-root.gptb-lcard fieldset { border: 0; margin: 4px 0 6px; padding: 0; }
.gptb-root.gptb-lcard legend { padding: 0; margin: 0 0 2px; font-weight: 600; }
.gptb-root.gptb-lcard label.gptb-lcard-choice { display: flex; align-items: center; gap: 6px; margin: 2px 0; font-weight: 400; }
.gptb-root.gptb-lcard .gptb-lcard-minutes { padding-left: 20px; }
.gptb-root.gptb-lcard input[type=number] { width: 80px; padding: 3px 6px; border: 1px solid #c5ced8; border-radius: 4px; font: inherit; }
.gptb-root.gptb-lcard input[aria-invalid=true] { border-color: #b3261e; }
.gptb-root.gptb-lcard button { padding: 3px 10px; }
.gptb-root.gptb-lcard button.gptb-link { border: 0; padding: 0; background: none; color: #1d6fb8; font-size: 12px; }
.gptb-root.gptb-lcard ol.gptb-lcard-trace { list-style: none; margin: 0 0 6px; padding: 0; }
.gptb-root.gptb-lcard .gptb-lcard-item { padding: 6px 0; border-top: 1px solid #eef1f4; }
.gptb-root.gptb-lcard .gptb-lcard-item:first-child { border-top: 0; }
.gptb-root.gptb-lcard .gptb-lcard-badge { padding: 0 6px; border-radius: 8px; background: #eef1f4; font-size: 11px; white-space: nowrap; }
.gptb-root.gptb-lcard .gptb-lcard-badge-ok { background: #e3f3e6; color: #1e7b34; }
.gptb-root.gptb-lcard .gptb-lcard-badge-bad { background: #fdecea; color: #b3261e; }
.gptb-root.gptb-lcard .gptb-lcard-answer, .gptb-root.gptb-lcard .gptb-lcard-silent { margin: 4px 0; padding: 4px 6px; border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; }
.gptb-root.gptb-lcard .gptb-lcard-answer { max-height: 140px; overflow: auto; background: #eef7ee; border: 1px solid #b9dfbe; }
.gptb-root.gptb-lcard .gptb-lcard-silent { background: #fff4d6; border: 1px solid #f0c36d; }
.gptb-root.gptb-lcard .gptb-lcard-label { display: block; font-size: 11px; font-weight: 600; color: #5b6b7c; }
.gptb-root.gptb-lcard .gptb-lcard-meta { color: #5b6b7c; font-size: 12px; overflow-wrap: anywhere; }
.gptb-root.gptb-lcard details { margin: 2px 0; font-size: 12px; }
.gptb-root.gptb-lcard summary { color: #1d6fb8; cursor: pointer; }
.gptb-root.gptb-lcard details ul { margin: 2px 0 4px; padding-left: 16px; }
.gptb-root.gptb-lcard details p { margin: 2px 0; }
.gptb-root.gptb-lcard pre { margin: 2px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
`;

export function injectStyles(doc: Document = document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}
