import { useState, type FormEvent } from 'react';
import { api } from '../../lib/api';
import { type AccountDetail, type LeadEraseResult } from '../../lib/types';
import { ErrorLine } from '../shared';

/**
 * Erases one lead's texts and conversation memory on the customer's request. Two steps: the
 * lead id, then a confirmation naming it, since nothing brings the texts back.
 */
export function LeadEraseForm({
  account,
  onErased,
}: {
  account: AccountDetail;
  onErased: () => void;
}) {
  const [leadId, setLeadId] = useState('');
  const [confirming, setConfirming] = useState<string | null>(null);
  const [result, setResult] = useState<LeadEraseResult | null>(null);
  const [error, setError] = useState<Error | null>(null);

  const ask = (event: FormEvent) => {
    event.preventDefault();
    setResult(null);
    setError(null);
    setConfirming(leadId.trim());
  };
  const erase = async (lead: string) => {
    setError(null);
    try {
      const erased = await api<LeadEraseResult>(
        'POST',
        `/accounts/${account.id}/leads/${encodeURIComponent(lead)}/erase`,
      );
      setResult(erased);
      setLeadId('');
      onErased();
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setConfirming(null);
    }
  };

  return (
    <form onSubmit={ask} data-testid="lead-erase" aria-label="Erase a lead's data">
      <label htmlFor="erase-lead">Lead id (Kommo)</label>
      <input
        id="erase-lead"
        inputMode="numeric"
        value={leadId}
        onChange={(e) => setLeadId(e.target.value)}
        disabled={confirming !== null}
      />
      {confirming === null ? (
        <div className="row">
          <button type="submit" disabled={leadId.trim() === ''}>
            Erase lead data…
          </button>
        </div>
      ) : (
        <div className="row" role="group" aria-label="Confirm the erase">
          <span>
            Erase every message, answer and conversation memory of lead {confirming}? This cannot be
            undone; counts and usage stay.
          </span>
          <button type="button" className="primary" onClick={() => void erase(confirming)}>
            Erase lead {confirming}
          </button>
          <button type="button" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </div>
      )}
      {result && (
        <p role="status">
          Lead {result.leadId} erased: texts of {result.requestsCleared} requests removed
          {result.pendingEnded > 0 && ` (${result.pendingEnded} unanswered ones ended)`},{' '}
          {result.conversationsForgotten} conversation memories forgotten.
        </p>
      )}
      <ErrorLine error={error} />
    </form>
  );
}
