import { type WebhookUrlsResponse } from '@gpt-bridge/shared';
import { type ApiClient } from '../lib/api-client';
import { type KommoWidget, widgetText } from '../lib/kommo-widget';
import { logger } from '../lib/logger';
import { type Translate } from '../i18n/translate';
import {
  blockSteps,
  BLOCK_KINDS,
  isBlockCode,
  type BlockParams,
  unconnectedSteps,
} from './block-steps';

type Urls = WebhookUrlsResponse['webhooks'];

// onSalesbotDesignerSave must answer synchronously, so the block's URLs are fetched ahead:
// at init and again when the block's settings open.
const known = new WeakMap<KommoWidget, Urls>();
const pending = new WeakMap<KommoWidget, Promise<Urls>>();

export function preloadUrls(widget: KommoWidget, api: ApiClient): Promise<Urls> {
  const running = pending.get(widget);
  if (running) return running;
  const loading = api.webhooks().then(
    ({ webhooks }) => {
      known.set(widget, webhooks);
      return webhooks;
    },
    (error: unknown) => {
      pending.delete(widget); // the next attempt asks again
      throw error;
    },
  );
  pending.set(widget, loading);
  return loading;
}

function urlFor(widget: KommoWidget, code: string): string | undefined {
  if (!isBlockCode(code)) return undefined;
  return known.get(widget)?.find((hook) => hook.kind === BLOCK_KINDS[code])?.widgetRequestUrl;
}

/** Kommo's `renderRow(caption)`: one argument (docs/kommo-contract.md §6.4). */
export type RenderRow = (caption: string) => unknown;

// Marks our row in the pane: Kommo calls salesbotDesignerSettings each time the pane opens,
// maybe with the same body, so the row is replaced, never added twice.
const ROW_MARK = 'data-gptb-row';

/** What renderRow gave back (HTML, an element or a jQuery set), as nodes to insert. */
function rowNodes(row: unknown): Node[] {
  if (typeof row === 'string') {
    const template = document.createElement('template');
    template.innerHTML = row;
    return [...template.content.childNodes];
  }
  if (row instanceof Node) return [row];
  if (row && typeof row === 'object' && typeof (row as { length?: unknown }).length === 'number') {
    return Array.from(row as ArrayLike<unknown>).filter(
      (node): node is Node => node instanceof Node,
    );
  }
  return [];
}

/** Our status row: Kommo's row with our caption, then the status text under it. */
function statusRow(body: HTMLElement, caption: string, renderRow: RenderRow): HTMLElement {
  const holder = document.createElement('div');
  holder.setAttribute(ROW_MARK, '');
  holder.append(...rowNodes(renderRow(caption)));
  const status = document.createElement('span');
  status.className = 'gptb-block-status';
  status.setAttribute('role', 'status');
  holder.append(status);
  const old = body.querySelectorAll(`[${ROW_MARK}]`);
  if (old[0]) old[0].replaceWith(holder);
  else body.appendChild(holder);
  for (const extra of [...old].slice(1)) extra.remove();
  return status;
}

/** `salesbotDesignerSettings`: a status row in the block's pane, and the block's three exits. */
export function designerSettings(
  widget: KommoWidget,
  api: ApiClient,
  t: Translate,
  body: HTMLElement | undefined,
  renderRow: RenderRow,
) {
  if (body) {
    const status = statusRow(body, t('title'), renderRow);
    const show = (text: string) => {
      status.textContent = text;
    };
    show(t('blockStatusLoading'));
    // Asked again here: a URL rotated since init must not go into the saved block.
    pending.delete(widget);
    preloadUrls(widget, api).then(
      (urls) =>
        show(
          urls[0]
            ? t('blockStatusReady', { url: new URL(urls[0].widgetRequestUrl).host })
            : t('blockStatusError'),
        ),
      () => show(t('blockStatusError')),
    );
  }
  return {
    exits: [
      { code: 'success', title: widgetText(widget, 'salesbot.exit_success', 'Answered') },
      { code: 'fail', title: widgetText(widget, 'salesbot.exit_fail', 'Failed') },
      { code: 'human', title: widgetText(widget, 'salesbot.exit_human', 'A person is talking') },
    ],
  };
}

/** `onSalesbotDesignerSave`: the bot steps behind our block, as the JSON string Kommo wants. */
export function designerSave(
  widget: KommoWidget,
  t: Translate,
  handlerCode: string,
  params: BlockParams,
): string {
  const url = urlFor(widget, handlerCode);
  if (!url) {
    logger.error('block saved before its URL was known', handlerCode);
    return JSON.stringify(unconnectedSteps(t('blockStatusError')));
  }
  return JSON.stringify(blockSteps(url, params));
}
