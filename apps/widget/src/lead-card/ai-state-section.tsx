import { type HandoffSettingsView, type LeadAiState } from '@gpt-bridge/shared';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { logger } from '../lib/logger';
import { ErrorBox } from '../panel/error-box';
import { usePanel } from '../panel/panel-context';
import { useLoad } from '../panel/use-load';
import { useLeadCard } from './lead-card-context';
import {
  MAX_PAUSE_MINUTES,
  parsePauseMinutes,
  pausedByText,
  resumeText,
  timeText,
} from './lead-card-format';
import { useNow } from './use-now';

/**
 * Another user may pause or resume the same lead (or write in its chat): the state is read
 * again this often while the page is visible (docs/kommo-contract.md §9.5, "how it refreshes").
 */
const STATE_REFRESH_MS = 60_000;

function PauseForm({
  silenceMinutes,
  busy,
  onPause,
}: {
  silenceMinutes: number;
  busy: boolean;
  onPause: (minutes: number | undefined) => void;
}) {
  const { t } = usePanel();
  const [mode, setMode] = useState<'manual' | 'minutes'>('manual');
  const [minutes, setMinutes] = useState(String(silenceMinutes));
  const parsed = parsePauseMinutes(minutes);
  const invalid = mode === 'minutes' && parsed === null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (invalid) return;
    onPause(mode === 'minutes' ? (parsed ?? undefined) : undefined);
  };
  return (
    <form onSubmit={submit} data-testid="gptb-lcard-pause-form">
      <fieldset>
        <legend>{t('lcardPauseFor')}</legend>
        <label className="gptb-lcard-choice">
          <input
            type="radio"
            name="gptb-lcard-pause"
            checked={mode === 'manual'}
            onChange={() => setMode('manual')}
          />
          {t('lcardPauseUntilResumed')}
        </label>
        <label className="gptb-lcard-choice">
          <input
            type="radio"
            name="gptb-lcard-pause"
            checked={mode === 'minutes'}
            onChange={() => setMode('minutes')}
          />
          {t('lcardPauseMinutes')}
        </label>
        {mode === 'minutes' && (
          <label className="gptb-lcard-choice gptb-lcard-minutes">
            <input
              type="number"
              min={1}
              max={MAX_PAUSE_MINUTES}
              step={1}
              value={minutes}
              aria-invalid={invalid}
              aria-describedby={invalid ? 'gptb-lcard-minutes-error' : undefined}
              onChange={(e) => setMinutes(e.target.value)}
            />
            {t('lcardMinutes')}
          </label>
        )}
        {invalid && (
          <p className="gptb-bad" id="gptb-lcard-minutes-error" role="alert">
            {t('lcardMinutesInvalid')}
          </p>
        )}
      </fieldset>
      <button type="submit" disabled={busy || invalid}>
        {t('lcardPause')}
      </button>
    </form>
  );
}

export function StateView({
  state,
  handoff,
  busy,
  onPause,
  onResume,
}: {
  state: LeadAiState;
  /** The account's subscription to team messages; null until read (or when it could not be). */
  handoff: HandoffSettingsView | null;
  busy: boolean;
  onPause: (minutes: number | undefined) => void;
  onResume: () => void;
}) {
  const { t } = usePanel();
  const { lang, viewerId } = useLeadCard();
  const now = useNow(30_000);
  const time = { lang, now };
  const pause = state.state === 'paused' ? state.pause : null;
  return (
    <>
      <p
        className={`gptb-lcard-state ${pause ? 'gptb-lcard-paused' : 'gptb-lcard-active'}`}
        data-testid="gptb-lcard-state"
        data-state={state.state}
        role="status"
      >
        <span className="gptb-lcard-dot" aria-hidden="true" />
        {t(pause ? 'lcardPaused' : 'lcardActive')}
      </p>
      {pause && (
        <ul className="gptb-lcard-facts" data-testid="gptb-lcard-pause">
          <li data-testid="gptb-lcard-paused-by">{pausedByText(t, pause, viewerId)}</li>
          <li>{t('lcardSince', { time: timeText(pause.since, time) })}</li>
          {pause.source === 'team_message' && pause.lastHumanAt !== pause.since && (
            <li>{t('lcardLastHuman', { time: timeText(pause.lastHumanAt, time) })}</li>
          )}
          <li data-testid="gptb-lcard-resumes">{resumeText(t, pause, time)}</li>
        </ul>
      )}
      {state.state === 'paused' ? (
        <button type="button" className="gptb-primary" disabled={busy} onClick={onResume}>
          {t('lcardResume')}
        </button>
      ) : (
        <PauseForm silenceMinutes={state.silenceMinutes} busy={busy} onPause={onPause} />
      )}
      {busy && <span className="gptb-muted"> {t('lcardWorking')}</span>}
      {handoff?.subscription.state === 'failed' ? (
        // Variant D (docs/kommo-contract.md §8.4): no team messages reach us, no automatic pause.
        <p className="gptb-banner gptb-lcard-note" data-testid="gptb-lcard-no-events">
          {t('lcardNoTeamEvents', { error: handoff.subscription.error ?? '—' })}
        </p>
      ) : (
        <p className="gptb-muted gptb-lcard-note">
          {t('lcardSilence', { minutes: state.silenceMinutes })}
        </p>
      )}
    </>
  );
}

/** Active or paused (by whom, since, until), with pause and resume for this lead. */
export function AiStateSection({ onRefresh }: { onRefresh: () => void }) {
  const { api, t } = usePanel();
  const { leadId } = useLeadCard();
  const [loaded, reload, replace] = useLoad(() => api.leadAiState(leadId));
  // Secondary: without it the panel still works, so a failure only leaves the usual note.
  const [handoff] = useLoad(() => api.handoff().catch(() => null));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const busyRef = useRef(false);

  useEffect(() => {
    const timer = setInterval(() => {
      if (busyRef.current || globalThis.document?.visibilityState === 'hidden') return;
      api.leadAiState(leadId).then(
        (state) => {
          if (!busyRef.current) replace(state);
        },
        // The last state stays on screen; Refresh shows the error if it persists.
        (caught: unknown) => logger.debug('lead AI state not refreshed', caught),
      );
    }, STATE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [api, leadId, replace]);

  const act = async (call: () => Promise<LeadAiState>) => {
    busyRef.current = true;
    setBusy(true);
    setError(null);
    try {
      replace(await call());
    } catch (caught) {
      setError(caught as Error);
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  };

  return (
    <section className="gptb-lcard-block" aria-labelledby="gptb-lcard-title">
      <div className="gptb-lcard-head">
        <h3 id="gptb-lcard-title">{t('lcardTitle')}</h3>
        <button type="button" className="gptb-link" onClick={onRefresh}>
          {t('lcardRefresh')}
        </button>
      </div>
      {loaded.state === 'loading' && <p className="gptb-muted">{t('loading')}</p>}
      {loaded.state === 'failed' && <ErrorBox error={loaded.error} onRetry={reload} />}
      {loaded.state === 'ready' && (
        <StateView
          state={loaded.value}
          handoff={handoff.state === 'ready' ? handoff.value : null}
          busy={busy}
          onPause={(minutes) =>
            void act(() => api.pauseLead(leadId, minutes === undefined ? {} : { minutes }))
          }
          onResume={() => void act(() => api.resumeLead(leadId))}
        />
      )}
      {error && <ErrorBox error={error} />}
    </section>
  );
}
