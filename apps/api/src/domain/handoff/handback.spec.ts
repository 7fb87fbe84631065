import { describe, expect, it } from 'vitest';
import { handbackLine, pauseLogLine, withHandbackMarker } from './handback';
import { type LeadPause } from './lead-pause.entity';

const pause = (over: Partial<LeadPause> = {}): LeadPause => ({
  installationId: 'i',
  leadId: 1,
  source: 'team_message',
  userId: 7,
  userName: 'Anna',
  since: new Date('2026-12-07T17:00:00Z'),
  lastHumanAt: new Date('2026-12-07T17:00:00Z'),
  resumesAt: new Date('2026-12-07T17:30:00Z'),
  endedAt: null,
  handback: null,
  onOffSet: false,
  ...over,
});

describe('the pause in LOG and in the prompt', () => {
  it("starts with ON_OFF's value and never says ERROR (the templates' error branches look for it)", () => {
    for (const line of [
      pauseLogLine(pause()),
      pauseLogLine(pause({ source: 'widget_button', userName: null, resumesAt: null })),
      pauseLogLine(pause({ source: 'admin_panel' })),
      pauseLogLine(null),
    ]) {
      expect(line).toMatch(/^#Human /);
      expect(line).not.toMatch(/error/i);
    }
    expect(pauseLogLine(pause())).toContain('Anna wrote in the chat');
    expect(pauseLogLine(pause())).toContain('2026-12-07T17:30:00.000Z');
  });

  it('puts what the team wrote before the customer message', () => {
    const prompt = withHandbackMarker(handbackLine('Anna', ' I will call you '), 'Thanks!');
    expect(prompt).toMatch(/^\[Handback\]/);
    expect(prompt).toContain('Anna: I will call you');
    expect(prompt.endsWith('\nThanks!')).toBe(true);
    expect(handbackLine(null, '')).toBe('A team member: (no text)');
  });
});
