import { type AdminLeadPause } from '@gpt-bridge/shared';
import { describe, expect, it } from 'vitest';
import { when } from '../../lib/format';
import { pausedBy, pauseRows } from './pause-rows';

const pause = (over: Partial<AdminLeadPause>): AdminLeadPause => ({
  leadId: 1,
  source: 'team_message',
  userId: 5,
  userName: 'Ana',
  since: '2026-12-07T13:00:00Z',
  lastHumanAt: '2026-12-07T13:10:00Z',
  resumesAt: '2026-12-07T13:40:00Z',
  ...over,
});

describe('paused leads', () => {
  it('says who paused and how', () => {
    expect(pausedBy(pause({}))).toBe('Ana wrote in the chat');
    expect(pausedBy(pause({ source: 'widget_button', userName: null }))).toBe(
      'Kommo user 5 pressed Pause in the lead card',
    );
    expect(pausedBy(pause({ source: 'admin_panel', userName: null, userId: null }))).toBe(
      'Support paused from the admin panel',
    );
    expect(pausedBy(pause({ userName: ' ', userId: null }))).toBe('Someone wrote in the chat');
  });

  it('lists the soonest to resume first and the by-hand pauses last', () => {
    const rows = pauseRows([
      pause({ leadId: 3, resumesAt: null }),
      pause({ leadId: 2, resumesAt: '2026-12-07T15:00:00Z' }),
      pause({ leadId: 1, resumesAt: '2026-12-07T14:00:00Z' }),
    ]);
    expect(rows.map((row) => row.leadId)).toEqual([1, 2, 3]);
    expect(rows[0]).toEqual({
      leadId: 1,
      by: 'Ana wrote in the chat',
      since: when('2026-12-07T13:00:00Z'),
      resumes: when('2026-12-07T14:00:00Z'),
    });
    expect(rows[2]!.resumes).toBe('only when resumed by hand');
    expect(pauseRows([])).toEqual([]);
  });
});
