/** Placeholder until the settings page lands (issue: the widget inside Kommo). */
export function WidgetRoot() {
  return <div className="gptb-root">GPT Bridge</div>;
}
