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

/** `salesbotDesignerSettings`: a status row in the block's pane, and the block's two exits. */
export function designerSettings(
  widget: KommoWidget,
  api: ApiClient,
  t: Translate,
  body: HTMLElement | undefined,
  renderRow: (title: string, html: string) => string,
) {
  if (body && !body.querySelector('.gptb-block-status')) {
    const holder = document.createElement('div');
    holder.innerHTML = renderRow(
      t('title'),
      '<span class="gptb-block-status" role="status"></span>',
    );
    body.appendChild(holder);
    const status = holder.querySelector<HTMLElement>('.gptb-block-status');
    const show = (text: string) => {
      if (status) status.textContent = text;
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
