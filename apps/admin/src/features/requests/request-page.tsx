import { useState } from 'react';
import { errorClassHint } from '../../lib/error-classes';
import { api } from '../../lib/api';
import { when } from '../../lib/format';
import { href } from '../../lib/router';
import { type RequestView } from '../../lib/types';
import { useData } from '../../lib/use-data';
import { ErrorLine, Loaded, Status } from '../shared';

function Details({ request, reload }: { request: RequestView; reload: () => void }) {
  const [replayed, setReplayed] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const replay = async () => {
    setError(null);
    try {
      const { id } = await api<{ id: string }>('POST', `/requests/${request.id}/replay`);
      setReplayed(id);
      reload();
    } catch (caught) {
      setError(caught as Error);
    }
  };
  const t = request.tokens;
  return (
    <>
      <h2>
        Request <Status value={request.status} />
      </h2>
      <dl className="facts" data-testid="request">
        <dt>Account</dt>
        <dd>
          <a href={href('accounts', request.installationId)}>{request.subdomain}</a> (
          {request.kommoAccountId})
        </dd>
        <dt>Kind</dt>
        <dd>
          {request.kind} ({request.mode})
        </dd>
        <dt>Lead</dt>
        <dd>{request.leadId ?? '—'}</dd>
        <dt>Provider</dt>
        <dd>
          {request.provider ?? '—'} {request.model && `· ${request.model}`}
        </dd>
        <dt>Latency</dt>
        <dd>{request.latencyMs === null ? '—' : `${request.latencyMs} ms`}</dd>
        <dt>Tokens</dt>
        <dd>{t.total === null ? '—' : `${t.total} (${t.input ?? 0} in, ${t.output ?? 0} out)`}</dd>
        <dt>Error class</dt>
        <dd data-testid="error-class" title={errorClassHint(request.errorClass)}>
          {request.errorClass ?? '—'}
        </dd>
        <dt>Error</dt>
        <dd>{request.errorMessage ?? '—'}</dd>
        <dt>LOG line</dt>
        <dd>{request.logLine ?? '—'}</dd>
        <dt>Attempts</dt>
        <dd>{request.attempts}</dd>
        <dt>Received / finished</dt>
        <dd>
          {when(request.receivedAt)} / {when(request.finishedAt)}
        </dd>
        {request.textsRemovedAt && (
          <>
            <dt>Texts removed</dt>
            <dd data-testid="texts-removed">{when(request.textsRemovedAt)} (retention or erase)</dd>
          </>
        )}
        {request.replayOf && (
          <>
            <dt>Replay of</dt>
            <dd>
              <a href={href('requests', request.replayOf)}>{request.replayOf}</a>
            </dd>
          </>
        )}
      </dl>
      {request.status === 'failed' && !request.textsRemovedAt && !replayed && (
        <button type="button" className="primary" onClick={() => void replay()}>
          Replay
        </button>
      )}
      {replayed && (
        <p role="status">
          Replay queued: <a href={href('requests', replayed)}>open the replay</a>
        </p>
      )}
      <ErrorLine error={error} />
    </>
  );
}

export function RequestPage({ id }: { id: string }) {
  const [data, reload] = useData(() => api<RequestView>('GET', `/requests/${id}`), id);
  return (
    <section>
      <div className="row">
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      <Loaded data={data}>{(request) => <Details request={request} reload={reload} />}</Loaded>
    </section>
  );
}
