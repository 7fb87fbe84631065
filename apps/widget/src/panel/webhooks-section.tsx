import { type WebhookUrlsResponse } from '@gpt-bridge/shared';
import { useState } from 'react';
import { copyText } from '../lib/copy-text';
import { type MessageKey } from '../i18n/messages-en';
import { ErrorBox } from './error-box';
import { usePanel } from './panel-context';
import { useLoad } from './use-load';

type Webhook = WebhookUrlsResponse['webhooks'][number];

const LABELS: Record<Webhook['kind'], MessageKey> = {
  chatgpt: 'webhookChatgpt',
  assistant: 'webhookAssistant',
};

function WebhookRow({
  webhook,
  onRotated,
}: {
  webhook: Webhook;
  onRotated: (next: WebhookUrlsResponse) => void;
}) {
  const { api, t } = usePanel();
  const [note, setNote] = useState<MessageKey | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const id = `gptb-webhook-${webhook.kind}`;

  const copy = async () => setNote((await copyText(webhook.handlerUrl)) ? 'copied' : 'copyFailed');
  const rotate = async () => {
    setConfirming(false);
    setError(null);
    try {
      onRotated(await api.rotateWebhook(webhook.kind));
      setNote('rotated');
    } catch (caught) {
      setError(caught as Error);
    }
  };

  return (
    <div data-testid={id}>
      <label htmlFor={id + '-url'}>{t(LABELS[webhook.kind])}</label>
      <div className="gptb-row">
        <input
          id={id + '-url'}
          className="gptb-url"
          type="text"
          readOnly
          value={webhook.handlerUrl}
        />
        <button type="button" onClick={() => void copy()}>
          {t('copy')}
        </button>
        {!confirming && (
          <button type="button" onClick={() => setConfirming(true)}>
            {t('rotate')}
          </button>
        )}
      </div>
      {confirming && (
        <div className="gptb-row" role="group" aria-label={t('rotateConfirm')}>
          <span>{t('rotateConfirm')}</span>
          <button type="button" className="gptb-primary" onClick={() => void rotate()}>
            {t('rotate')}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            {t('cancel')}
          </button>
        </div>
      )}
      {note && (
        <span role="status" className={note === 'copyFailed' ? 'gptb-bad' : 'gptb-ok'}>
          {t(note)}
        </span>
      )}
      {error && <ErrorBox error={error} />}
    </div>
  );
}

/** Both webhook URLs (they carry their secret token), with copy and rotate. */
export function WebhooksSection() {
  const { api, t } = usePanel();
  const [loaded, reload, replace] = useLoad(api.webhooks);
  return (
    <section className="gptb-section" aria-labelledby="gptb-webhooks">
      <h3 id="gptb-webhooks">{t('webhooks')}</h3>
      <p className="gptb-intro">{t('webhooksIntro')}</p>
      {loaded.state === 'loading' && <p>{t('loading')}</p>}
      {loaded.state === 'failed' && <ErrorBox error={loaded.error} onRetry={reload} />}
      {loaded.state === 'ready' &&
        loaded.value.webhooks.map((webhook) => (
          <WebhookRow key={webhook.kind} webhook={webhook} onRotated={replace} />
        ))}
    </section>
  );
}
