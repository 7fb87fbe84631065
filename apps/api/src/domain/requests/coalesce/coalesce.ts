import { type RequestMode } from '../ai-request.types';

/**
 * One answer per burst (issue 22 point 3): when a lead has several pending requests, only the
 * newest is asked and delivered; the older ones end `done` with `error_class = 'coalesced'`
 * (kept and shown in the admin panel; counted only when a provider had answered it already). The pure part: which pending requests belong to
 * the same conversation, so the newest one answers for them.
 *
 * - Classic (lead fields): every request of the lead writes the same ANSWER/ANSWER_RECEIVED,
 *   so only the newest write can be the one the bot reads; any older classic request of the lead
 *   is answered by the newest.
 * - Widget block: a salesbot waits on one continue at a time, so an older pending request of
 *   the same bot is one the bot no longer waits for. Another bot on the same lead (Kommo lets
 *   bots run side by side) waits for its own answer: never coalesced across bots.
 */
export type CoalesceCandidate = {
  id: string;
  seq: number;
  mode: RequestMode;
  /** `/api/v4/salesbot/{bot}/continue/{id}` of a widget request, else null. */
  continuePath: string | null;
};

/** The bot a continue path belongs to (`salesbot:12`), or null when it names none. */
export function continueBot(continuePath: string | null | undefined): string | null {
  if (!continuePath) return null;
  const match = /\/api\/v4\/(salesbot|marketingbot)\/(\d+)\/continue\//.exec(continuePath);
  return match ? `${match[1]}:${match[2]}` : null;
}

/** The conversation a request answers in: requests of one group answer for each other. */
export function coalesceGroup(
  request: Pick<CoalesceCandidate, 'mode' | 'continuePath'>,
): string | null {
  if (request.mode === 'classic') return 'classic';
  const bot = continueBot(request.continuePath);
  return bot === null ? null : `widget:${bot}`;
}

/**
 * The newest of `newer` (pending requests of the same lead stored after `request`) that answers
 * for `request`, or undefined when `request` must be answered itself.
 */
export function supersededBy(
  request: Pick<CoalesceCandidate, 'seq' | 'mode' | 'continuePath'>,
  newer: readonly CoalesceCandidate[],
): CoalesceCandidate | undefined {
  const group = coalesceGroup(request);
  if (group === null) return undefined;
  let best: CoalesceCandidate | undefined;
  for (const candidate of newer) {
    if (candidate.seq <= request.seq || coalesceGroup(candidate) !== group) continue;
    if (!best || candidate.seq > best.seq) best = candidate;
  }
  return best;
}

/** What the coalesced request keeps in `error_message` (no customer text). */
export function coalescedMessage(newerId: string): string {
  return `answered together with the newer request ${newerId} of the same lead (one answer per burst)`;
}
