import { type WidgetSessionResponse } from '@gpt-bridge/shared';
import { type MessageKey } from '../i18n/messages-en';
import { usePanel } from './panel-context';

const STATUS_TEXT: Record<WidgetSessionResponse['installationStatus'], MessageKey> = {
  active: 'statusActive',
  pending: 'statusPending',
  auth_failed: 'statusAuthFailed',
  disabled: 'statusDisabled',
};

export function ConnectionSection({ session }: { session: WidgetSessionResponse }) {
  const { t } = usePanel();
  const ok = session.installationStatus === 'active';
  return (
    <section className="gptb-section" aria-labelledby="gptb-connection">
      <h3 id="gptb-connection">{t('connection')}</h3>
      <div className="gptb-row">
        <span
          className={`gptb-status ${ok ? 'gptb-ok' : 'gptb-bad'}`}
          data-testid="gptb-connection-status"
        >
          {t(STATUS_TEXT[session.installationStatus])}
        </span>
        <span className="gptb-muted">
          {t('account')}: {session.host} (#{session.accountId})
        </span>
      </div>
      {session.tokenUserIsAdmin === false && (
        <p className="gptb-bad" role="alert" data-testid="gptb-token-notice">
          {t('tokenNotAdmin')}
        </p>
      )}
    </section>
  );
}
