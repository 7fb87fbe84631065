import { ApiError } from '../lib/api-client';
import { usePanel } from './panel-context';

/** An error a person can act on: the API's message, and its list of problems when it has one. */
export function ErrorBox({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const { t } = usePanel();
  const problems = error instanceof ApiError ? error.problems : [];
  return (
    <div className="gptb-error" role="alert">
      {t('errorPrefix')}: {problems.length > 1 ? '' : error.message}
      {problems.length > 1 && (
        <ul>
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      {onRetry && (
        <div className="gptb-row">
          <button type="button" onClick={onRetry}>
            {t('retry')}
          </button>
        </div>
      )}
    </div>
  );
}
