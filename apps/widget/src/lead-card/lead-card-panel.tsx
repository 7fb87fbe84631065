import { useMemo, useState } from 'react';
import { translator, type Language } from '../i18n/translate';
import { type ApiClient } from '../lib/api-client';
import { PanelContext, type Panel } from '../panel/panel-context';
import { AiStateSection } from './ai-state-section';
import { LeadCardContext, type LeadCard } from './lead-card-context';
import { TraceSection } from './trace-section';

/**
 * The widget's block in a lead card (location `lcard`, docs/kommo-contract.md §9.5): whether the
 * AI answers this lead, pause and resume, and the lead's AI requests newest first.
 */
export function LeadCardPanel({
  api,
  lang,
  leadId,
  viewerId,
}: {
  api: ApiClient;
  lang: Language;
  leadId: number;
  viewerId: number | null;
}) {
  const panel = useMemo<Panel>(() => ({ api, t: translator(lang) }), [api, lang]);
  const card = useMemo<LeadCard>(() => ({ leadId, lang, viewerId }), [leadId, lang, viewerId]);
  // Refresh reads everything again: a new round mounts both sections afresh.
  const [round, setRound] = useState(0);
  return (
    <PanelContext.Provider value={panel}>
      <LeadCardContext.Provider value={card}>
        <div
          className="gptb-root gptb-lcard"
          lang={lang}
          data-testid="gptb-lcard"
          data-lead={leadId}
        >
          <div key={round}>
            <AiStateSection onRefresh={() => setRound((n) => n + 1)} />
            <TraceSection />
          </div>
        </div>
      </LeadCardContext.Provider>
    </PanelContext.Provider>
  );
}
