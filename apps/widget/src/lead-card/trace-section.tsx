import { useState } from 'react';
import { ErrorBox } from '../panel/error-box';
import { usePanel } from '../panel/panel-context';
import { useLoad } from '../panel/use-load';
import { useLeadCard } from './lead-card-context';
import { appendTracePage, type TracePages } from './lead-card-format';
import { TraceItem } from './trace-item';
import { useNow } from './use-now';

/** A page of the trace: few, since the card's right panel is narrow and each entry is tall. */
export const TRACE_PAGE = 10;

/** The lead's AI requests, newest first, a page at a time. */
export function TraceSection() {
  const { api, t } = usePanel();
  const { leadId } = useLeadCard();
  const now = useNow(60_000);
  const [loaded, reload, replace] = useLoad<TracePages>(() =>
    api
      .leadRequests(leadId, { limit: TRACE_PAGE })
      .then((page) => ({ items: page.requests, more: page.more })),
  );
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error | null>(null);

  const loadMore = async (trace: TracePages) => {
    const last = trace.items.at(-1);
    if (!last) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await api.leadRequests(leadId, { limit: TRACE_PAGE, before: last.receivedAt });
      replace(appendTracePage(trace, page));
    } catch (caught) {
      setMoreError(caught as Error);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <section className="gptb-lcard-block" aria-labelledby="gptb-trace-title">
      <h3 id="gptb-trace-title">{t('traceTitle')}</h3>
      {loaded.state === 'loading' && <p className="gptb-muted">{t('loading')}</p>}
      {loaded.state === 'failed' && <ErrorBox error={loaded.error} onRetry={reload} />}
      {loaded.state === 'ready' && loaded.value.items.length === 0 && (
        <p className="gptb-muted" data-testid="gptb-trace-none">
          {t('traceNone')}
        </p>
      )}
      {loaded.state === 'ready' && loaded.value.items.length > 0 && (
        <ol className="gptb-lcard-trace" data-testid="gptb-trace">
          {loaded.value.items.map((item) => (
            <TraceItem key={item.id} item={item} now={now} />
          ))}
        </ol>
      )}
      {moreError && <ErrorBox error={moreError} />}
      {loaded.state === 'ready' && loaded.value.more && (
        <button
          type="button"
          disabled={loadingMore}
          onClick={() => void loadMore(loaded.value)}
          data-testid="gptb-trace-more"
        >
          {loadingMore ? t('loading') : t('traceMore')}
        </button>
      )}
    </section>
  );
}
