import { type LeadExtractionTrace, type LeadTraceItem } from '@gpt-bridge/shared';
import { type MessageKey } from '../i18n/messages-en';
import { usePanel } from '../panel/panel-context';
import { useLeadCard } from './lead-card-context';
import {
  costText,
  latencyText,
  promptNote,
  providerText,
  silentReasonText,
  statusText,
  timeText,
  tokensText,
  valueText,
  webhookText,
} from './lead-card-format';

const ACTION_KEYS: Record<LeadExtractionTrace['actions'][number]['kind'], MessageKey> = {
  move: 'traceActionMove',
  tag_add: 'traceActionTagAdd',
  tag_remove: 'traceActionTagRemove',
  task: 'traceActionTask',
};

/** Statuses that ended without a customer message, drawn in the error colour. */
const BAD = new Set<LeadTraceItem['status']>(['failed', 'refused', 'rejected']);

function Extraction({ extraction }: { extraction: LeadExtractionTrace }) {
  const { t } = usePanel();
  const nothing =
    extraction.written.length === 0 &&
    extraction.skipped.length === 0 &&
    extraction.actions.length === 0;
  return (
    <details data-testid="gptb-trace-extraction">
      <summary>{t('traceExtraction', { profile: extraction.profile })}</summary>
      {nothing && <p className="gptb-muted">{t('traceNothingWritten')}</p>}
      {extraction.written.length > 0 && (
        <>
          <strong>{t('traceWritten')}</strong>
          <ul>
            {extraction.written.map((w) => (
              <li key={w.fieldId}>
                {w.name} = {valueText(w.value)}
              </li>
            ))}
          </ul>
        </>
      )}
      {extraction.skipped.length > 0 && (
        <>
          <strong>{t('traceSkipped')}</strong>
          <ul>
            {extraction.skipped.map((s, index) => (
              <li key={`${s.name}-${index}`} className="gptb-bad">
                {t('traceSkippedItem', {
                  name: s.name,
                  value: valueText(s.value),
                  reason: s.reason,
                })}
              </li>
            ))}
          </ul>
        </>
      )}
      {extraction.actions.length > 0 && (
        <>
          <strong>{t('traceActions')}</strong>
          <ul>
            {extraction.actions.map((a, index) => (
              <li key={`${a.kind}-${index}`} className={a.ok ? undefined : 'gptb-bad'}>
                {t(ACTION_KEYS[a.kind])}: {a.detail}
                {!a.ok && ` (${t('traceActionFailed')})`}
              </li>
            ))}
          </ul>
        </>
      )}
    </details>
  );
}

function Prompt({ item }: { item: LeadTraceItem }) {
  const { t } = usePanel();
  const note = promptNote(item);
  return (
    <details data-testid="gptb-trace-prompt">
      <summary>{t('tracePrompt')}</summary>
      {note && <p className="gptb-muted">{t(note)}</p>}
      {item.prompt?.text && <pre>{item.prompt.text}</pre>}
      {item.prompt && (
        <p className="gptb-muted">
          {t('traceMemory', { count: item.prompt.memoryMessages })}
          {item.prompt.media.length > 0 && (
            <>
              <br />
              {t('traceMedia', { media: item.prompt.media.join(', ') })}
            </>
          )}
        </p>
      )}
    </details>
  );
}

/** One AI request of the lead: when, which webhook, what went in and out, and what it cost. */
export function TraceItem({ item, now }: { item: LeadTraceItem; now: Date }) {
  const { t } = usePanel();
  const { lang } = useLeadCard();
  const silent = silentReasonText(t, item.silentReason);
  const cost = costText(item.costUsd, lang);
  const meta = [
    providerText(item.provider),
    item.model,
    latencyText(item.latencyMs, lang),
    tokensText(t, item.tokens, lang),
  ].filter((part): part is string => Boolean(part));
  return (
    <li
      className="gptb-lcard-item"
      data-testid="gptb-trace-item"
      data-id={item.id}
      data-status={item.status}
    >
      <div className="gptb-lcard-head">
        <time dateTime={item.receivedAt}>{timeText(item.receivedAt, { lang, now })}</time>
        <span
          className={`gptb-lcard-badge${BAD.has(item.status) ? ' gptb-lcard-badge-bad' : item.status === 'done' ? ' gptb-lcard-badge-ok' : ''}`}
          data-testid="gptb-trace-status"
        >
          {statusText(t, item.status)}
        </span>
      </div>
      <div className="gptb-muted" data-testid="gptb-trace-webhook">
        {webhookText(t, item)}
      </div>
      {item.answer !== null && (
        <div className="gptb-lcard-answer" data-testid="gptb-trace-answer">
          <span className="gptb-lcard-label">{t('traceAnswer')}</span>
          {item.answer}
        </div>
      )}
      {silent && (
        <div className="gptb-lcard-silent" data-testid="gptb-trace-silent">
          <span className="gptb-lcard-label">{t('traceSilent')}</span>
          {silent}
        </div>
      )}
      {(item.errorClass || item.errorMessage) && (
        <div className="gptb-bad" data-testid="gptb-trace-error">
          {t('traceError', {
            errorClass: item.errorClass ?? '—',
            message: item.errorMessage ?? '',
          })}
        </div>
      )}
      {(meta.length > 0 || cost) && (
        <div className="gptb-lcard-meta" data-testid="gptb-trace-meta">
          {meta.join(' · ')}
          {cost && (
            <>
              {meta.length > 0 && ' · '}
              <span title={t('traceCostTitle')} data-testid="gptb-trace-cost">
                {t('traceCost', { cost })}
              </span>
            </>
          )}
        </div>
      )}
      <Prompt item={item} />
      {item.extraction && <Extraction extraction={item.extraction} />}
    </li>
  );
}
