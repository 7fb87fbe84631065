import { type WidgetUsageResponse } from '@gpt-bridge/shared';
import { CostCapForm } from './cost-cap-form';
import { ErrorBox } from './error-box';
import { formatUsd } from './money';
import { usePanel } from './panel-context';
import { useLoad } from './use-load';

/** Every day of the month up to the last one with data, so gaps show as empty days. */
export function daysOfMonth(usage: WidgetUsageResponse): WidgetUsageResponse['byDay'] {
  const byDay = new Map(usage.byDay.map((day) => [day.day, day]));
  const [year, month] = usage.month.split('-').map(Number) as [number, number];
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return Array.from({ length }, (_, index) => {
    const day = `${usage.month}-${String(index + 1).padStart(2, '0')}`;
    return byDay.get(day) ?? { day, chatgpt: 0, assistant: 0, total: 0 };
  });
}

function Chart({ usage }: { usage: WidgetUsageResponse }) {
  const { t } = usePanel();
  const days = daysOfMonth(usage);
  const peak = Math.max(1, ...days.map((day) => day.total));
  return (
    <figure aria-label={t('usageChart')} style={{ margin: 0 }}>
      <figcaption className="gptb-muted">{t('usageChart')}</figcaption>
      <div className="gptb-chart" data-testid="gptb-usage-chart">
        {days.map((day) => {
          const label = t('usageDay', { ...day, day: day.day.slice(8) });
          return (
            <span
              key={day.day}
              title={label}
              aria-label={label}
              role="img"
              style={{ height: `${(day.total / peak) * 100}%` }}
            />
          );
        })}
      </div>
    </figure>
  );
}

/** The month's estimated cost next to the counts, the cap, and (administrators) its form. */
function Cost({
  usage,
  admin,
  onSaved,
}: {
  usage: WidgetUsageResponse;
  admin: boolean;
  onSaved: (usage: WidgetUsageResponse) => void;
}) {
  const { t } = usePanel();
  return (
    <div data-testid="gptb-usage-cost">
      {usage.costCapReached && (
        <div className="gptb-banner" role="status">
          {t('usageCostCapReached', { date: usage.resetsOn })}
        </div>
      )}
      <p>
        {t('usageCost', { cost: formatUsd(usage.costUsd), date: usage.pricesAsOf })}
        {' · '}
        {usage.costCapUsd === null
          ? t('usageCostCapNone')
          : t('usageCostCap', { cap: formatUsd(usage.costCapUsd) })}
      </p>
      {admin && <CostCapForm capUsd={usage.costCapUsd} onSaved={onSaved} />}
    </div>
  );
}

/** This month's requests against the plan, per day, with the 80 / 95 % warnings and the cost. */
export function UsageSection({ admin = false }: { admin?: boolean }) {
  const { api, t } = usePanel();
  const [loaded, reload, replace] = useLoad(api.usage);
  return (
    <section className="gptb-section" aria-labelledby="gptb-usage">
      <h3 id="gptb-usage">{t('usage')}</h3>
      {loaded.state === 'loading' && <p>{t('loading')}</p>}
      {loaded.state === 'failed' && <ErrorBox error={loaded.error} onRetry={reload} />}
      {loaded.state === 'ready' && (
        <div data-testid="gptb-usage">
          {loaded.value.warnings.length > 0 && (
            <div className="gptb-banner" role="status">
              {t('usageWarning', {
                threshold: Math.max(...loaded.value.warnings.map((w) => w.threshold)),
              })}
            </div>
          )}
          <div className="gptb-row">
            <strong data-testid="gptb-usage-count">
              {t('usageOf', { used: loaded.value.used, allowance: loaded.value.allowance })}
            </strong>
            <span className="gptb-muted">{t('usagePlan', { plan: loaded.value.plan.name })}</span>
          </div>
          <div
            className="gptb-meter"
            role="meter"
            aria-valuemin={0}
            aria-valuemax={loaded.value.allowance}
            aria-valuenow={loaded.value.used}
            aria-label={t('usage')}
          >
            <span
              style={{
                width: `${Math.min(100, (loaded.value.used / Math.max(1, loaded.value.allowance)) * 100)}%`,
              }}
            />
          </div>
          <p className="gptb-muted">
            {t('usageRemaining', {
              remaining: loaded.value.remaining,
              date: loaded.value.resetsOn,
            })}
            {loaded.value.exhaustedOn &&
              ` · ${t('usageForecast', { date: loaded.value.exhaustedOn })}`}
          </p>
          <Cost usage={loaded.value} admin={admin} onSaved={replace} />
          {loaded.value.used === 0 ? (
            <p className="gptb-muted">{t('usageNone')}</p>
          ) : (
            <Chart usage={loaded.value} />
          )}
        </div>
      )}
    </section>
  );
}
