import { type AdminLeadPause } from '@gpt-bridge/shared';
import { when } from '../../lib/format';

export type PauseRow = {
  leadId: number;
  by: string;
  since: string;
  resumes: string;
};

const SOURCES: Record<AdminLeadPause['source'], string> = {
  team_message: 'wrote in the chat',
  widget_button: 'pressed Pause in the lead card',
  admin_panel: 'paused from the admin panel',
};

/** Who paused it: the Kommo user's name (or id) and how, as support reads it. */
export function pausedBy(pause: Pick<AdminLeadPause, 'source' | 'userId' | 'userName'>): string {
  const who =
    pause.userName?.trim() ||
    (pause.userId !== null
      ? `Kommo user ${pause.userId}`
      : pause.source === 'admin_panel'
        ? 'Support'
        : 'Someone');
  return `${who} ${SOURCES[pause.source]}`;
}

/** The account's paused leads, the one that resumes soonest first, the by-hand ones last. */
export function pauseRows(pauses: AdminLeadPause[]): PauseRow[] {
  const order = (pause: AdminLeadPause) =>
    pause.resumesAt === null ? Number.POSITIVE_INFINITY : Date.parse(pause.resumesAt);
  return [...pauses]
    .sort((a, b) => order(a) - order(b) || a.leadId - b.leadId)
    .map((pause) => ({
      leadId: pause.leadId,
      by: pausedBy(pause),
      since: when(pause.since),
      resumes: pause.resumesAt === null ? 'only when resumed by hand' : when(pause.resumesAt),
    }));
}
