import { type LeadPause } from './lead-pause.entity';

/**
 * What the provider reads before the customer's message on the first answer after a pause, so the
 * bot neither repeats nor contradicts what the team told the customer (issue 22 point 2). It goes
 * into the prompt, so every provider's memory (its conversation, or the history we keep) holds it
 * from then on.
 */
export function withHandbackMarker(handback: string, prompt: string): string {
  return [
    '[Handback] While the AI was paused, the team wrote to the customer:',
    handback,
    '[End of handback] Do not repeat or contradict what the team said. The customer now writes:',
    '',
    prompt,
  ].join('\n');
}

/** One line of the handback: who wrote what (the text as the chat showed it). */
export function handbackLine(userName: string | null, text: string): string {
  return `${userName?.trim() || 'A team member'}: ${text.trim() || '(no text)'}`;
}

/**
 * The LOG line (classic) or `{{json.log}}` (widget block) of a request the pause kept silent. It
 * starts with ON_OFF's value and never says ERROR: the templates' error branches look for that.
 */
export function pauseLogLine(pause: LeadPause | null): string {
  if (!pause) return '#Human the AI stayed silent: a person took over this lead';
  const who =
    pause.source === 'team_message'
      ? `${pause.userName ?? `user ${pause.userId ?? '?'}`} wrote in the chat`
      : pause.source === 'widget_button'
        ? `paused in the lead card${pause.userName ? ` by ${pause.userName}` : ''}`
        : 'paused by support';
  const until = pause.resumesAt
    ? `answers again from ${pause.resumesAt.toISOString()}`
    : 'answers again when resumed in the lead card';
  return `#Human the AI is paused on this lead (${who}); it ${until}`;
}
