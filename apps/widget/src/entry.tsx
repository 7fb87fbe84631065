// The React bundle behind script.js: each export is one Kommo callback, called with the widget
// object (`self`) first. See static/script.js for the other side of this contract.
import { createRoot, type Root } from 'react-dom/client';
import { designerSave, designerSettings, preloadUrls, type RenderRow } from './designer/designer';
import { type BlockParams } from './designer/block-steps';
import { pickLanguage, translator } from './i18n/translate';
import { createApiClient, type ApiClient } from './lib/api-client';
import { LeadCardPanel } from './lead-card/lead-card-panel';
import {
  currentLeadId,
  kommoLanguage,
  viewerId,
  type KommoWidget,
  type WidgetOptions,
} from './lib/kommo-widget';
import { logger } from './lib/logger';
import { mountRegistry } from './lib/mount-registry';
import { injectStyles } from './lib/styles';
import { SettingsPanel } from './panel/settings-panel';

const roots = mountRegistry<Root>();
const clients = new WeakMap<KommoWidget, ApiClient>();
const containers = new WeakMap<KommoWidget, Set<HTMLElement>>();

function clientOf(widget: KommoWidget, options: WidgetOptions): ApiClient {
  let client = clients.get(widget);
  if (!client) {
    client = createApiClient(widget, options.apiUrl);
    clients.set(widget, client);
  }
  return client;
}

const language = () => pickLanguage(kommoLanguage());

function remember(widget: KommoWidget, container: HTMLElement): void {
  const mine = containers.get(widget) ?? new Set<HTMLElement>();
  mine.add(container);
  containers.set(widget, mine);
}

/** One panel per container: Kommo may call the same callback again for the same place. */
function mountPanel(widget: KommoWidget, options: WidgetOptions, host: HTMLElement | null): void {
  if (!host) {
    logger.error('no element to render the settings into');
    return;
  }
  injectStyles();
  let container = host.querySelector<HTMLElement>(':scope > .gptb-mount');
  if (!container) {
    container = document.createElement('div');
    container.className = 'gptb-mount';
    host.appendChild(container);
  }
  const target = container;
  roots.ensure(target, () => {
    const root = createRoot(target);
    root.render(<SettingsPanel api={clientOf(widget, options)} lang={language()} />);
    return root;
  });
  remember(widget, target);
}

/** Our element inside the card block `render_template` made; its class is ours alone. */
const LEAD_CARD_MOUNT = 'gptb-lcard-mount';

/**
 * The lead card's block (location `lcard`, docs/kommo-contract.md §9.5). With `init_once: false`
 * Kommo may run render again on the same card, or on another lead's card without a page load
 * (not documented either way): the block is made once, and the panel follows the open lead.
 */
function mountLeadCard(widget: KommoWidget, options: WidgetOptions, leadId: number): void {
  injectStyles();
  const find = () => document.querySelector<HTMLElement>(`.${LEAD_CARD_MOUNT}`);
  if (!find()) {
    widget.render_template({
      caption: { class_name: 'gptb-lcard-caption' },
      body: `<div class="${LEAD_CARD_MOUNT}"></div>`,
      render: '',
    });
  }
  const target = find();
  if (!target) {
    logger.error('no block in the lead card to render into');
    return;
  }
  const root = roots.ensure(target, () => createRoot(target));
  // The key starts the panel afresh (state, trace) when the card shows another lead.
  root.render(
    <LeadCardPanel
      key={leadId}
      api={clientOf(widget, options)}
      lang={language()}
      leadId={leadId}
      viewerId={viewerId(widget)}
    />,
  );
  remember(widget, target);
}

/** Kommo's first callback in every area; only a lead card gets something drawn. */
export function render(widget: KommoWidget, options: WidgetOptions): void {
  // Outside a card, and in a card being created (id 0), there is no lead to show (§9.5).
  const leadId = currentLeadId();
  if (leadId !== null) mountLeadCard(widget, options, leadId);
}

export function init(widget: KommoWidget, options: WidgetOptions): void {
  // A lead card has no designer block: no call for its URLs on every card opened.
  if (currentLeadId() !== null) return;
  // The designer's save cannot wait for the network: have the block URLs ready early.
  preloadUrls(widget, clientOf(widget, options)).catch((error: unknown) =>
    logger.debug('webhook URLs not loaded at init', error),
  );
}

export function settings(
  widget: KommoWidget,
  options: WidgetOptions,
  modalBody: HTMLElement,
): void {
  mountPanel(
    widget,
    options,
    modalBody?.querySelector<HTMLElement>('.widget_settings_block__controls') ?? modalBody ?? null,
  );
}

export function advancedSettings(widget: KommoWidget, options: WidgetOptions): void {
  const code = widget.get_settings().widget_code ?? '';
  mountPanel(widget, options, document.getElementById(`work-area-${code}`));
}

/** Settings are saved by our own panel as they change; Kommo's Save has nothing to add. */
export function onSave(): boolean {
  return true;
}

export function destroy(widget: KommoWidget): void {
  for (const container of containers.get(widget) ?? []) {
    roots.release(container, (root) => root.unmount());
    container.remove();
  }
  containers.delete(widget);
}

export function salesbotDesignerSettings(
  widget: KommoWidget,
  options: WidgetOptions,
  body: HTMLElement | undefined,
  renderRow: RenderRow,
): { exits: { code: string; title: string }[] } {
  return designerSettings(
    widget,
    clientOf(widget, options),
    translator(language()),
    body,
    renderRow,
  );
}

export function onSalesbotDesignerSave(
  widget: KommoWidget,
  _options: WidgetOptions,
  handlerCode: string,
  params: BlockParams,
): string {
  return designerSave(widget, translator(language()), handlerCode, params);
}
