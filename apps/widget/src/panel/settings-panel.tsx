import { useMemo } from 'react';
import { type ApiClient } from '../lib/api-client';
import { translator, type Language } from '../i18n/translate';
import { ConnectionSection } from './connection-section';
import { ConsoleSection } from './console-section';
import { ErrorBox } from './error-box';
import { FieldsSection } from './fields-section';
import { PanelContext, usePanel, type Panel } from './panel-context';
import { ProvidersSection } from './providers-section';
import { TemplateSection } from './template-section';
import { UsageSection } from './usage-section';
import { useLoad } from './use-load';
import { WebhooksSection } from './webhooks-section';

function Sections() {
  const panel = usePanel();
  const { api } = panel;
  const [session, reloadSession] = useLoad(api.session);
  const [fields, reloadFields, replaceFields] = useLoad(api.checkFields);
  if (session.state === 'loading') return <p>{panel.t('loading')}</p>;
  if (session.state === 'failed') {
    return (
      <ErrorBox
        error={new Error(panel.t('unreachable', { message: session.error.message }))}
        onRetry={reloadSession}
      />
    );
  }
  const admin = session.value.isAdmin;
  return (
    <>
      <ConnectionSection session={session.value} />
      {!admin && <p className="gptb-banner">{panel.t('notAdmin')}</p>}
      <FieldsSection check={fields} reload={reloadFields} replace={replaceFields} />
      {admin && <WebhooksSection />}
      {admin && <ProvidersSection />}
      {admin && <TemplateSection fields={fields} />}
      <UsageSection admin={admin} />
      {admin && <ConsoleSection />}
    </>
  );
}

/** The settings page inside Kommo: one root element carrying the scoping class. */
export function SettingsPanel({ api, lang }: { api: ApiClient; lang: Language }) {
  const panel = useMemo<Panel>(() => ({ api, t: translator(lang) }), [api, lang]);
  return (
    <PanelContext.Provider value={panel}>
      <div className="gptb-root" lang={lang} data-testid="gptb-root">
        <Sections />
      </div>
    </PanelContext.Provider>
  );
}
