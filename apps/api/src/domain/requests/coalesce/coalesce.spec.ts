import { describe, expect, it } from 'vitest';
import {
  type CoalesceCandidate,
  coalescedMessage,
  coalesceGroup,
  continueBot,
  supersededBy,
} from './coalesce';

const widget = (id: string, seq: number, bot = 12): CoalesceCandidate => ({
  id,
  seq,
  mode: 'widget',
  continuePath: `/api/v4/salesbot/${bot}/continue/c-${id}`,
});
const classic = (id: string, seq: number): CoalesceCandidate => ({
  id,
  seq,
  mode: 'classic',
  continuePath: null,
});

describe('coalescing a burst of requests of one lead', () => {
  it('reads the bot of a continue path, salesbot or marketingbot', () => {
    expect(continueBot('/api/v4/salesbot/12/continue/abc')).toBe('salesbot:12');
    expect(continueBot('/api/v4/marketingbot/7/continue/x1')).toBe('marketingbot:7');
    expect(continueBot('/api/v4/leads/12')).toBeNull();
    expect(continueBot(null)).toBeNull();
  });

  it('groups classic requests together and widget requests by their bot', () => {
    expect(coalesceGroup(classic('a', 1))).toBe('classic');
    expect(coalesceGroup(widget('a', 1, 12))).toBe('widget:salesbot:12');
    expect(coalesceGroup({ mode: 'widget', continuePath: null })).toBeNull();
  });

  it('answers an older classic request by the newest pending one of the lead', () => {
    const newer = [classic('c', 3), classic('b', 2)];
    expect(supersededBy(classic('a', 1), newer)?.id).toBe('c');
    expect(supersededBy(classic('c', 3), newer)).toBeUndefined();
  });

  it('never answers across modes, bots, or for a request stored later', () => {
    expect(supersededBy(classic('a', 1), [widget('b', 2)])).toBeUndefined();
    expect(supersededBy(widget('a', 1, 12), [classic('b', 2)])).toBeUndefined();
    // Another bot on the same lead waits for its own answer.
    expect(supersededBy(widget('a', 1, 12), [widget('b', 2, 13)])).toBeUndefined();
    expect(supersededBy(widget('a', 1, 12), [widget('b', 2, 13), widget('c', 3, 12)])?.id).toBe(
      'c',
    );
    expect(supersededBy(classic('b', 5), [classic('a', 4)])).toBeUndefined();
    expect(supersededBy({ mode: 'widget', seq: 1, continuePath: null }, [widget('b', 2)])).toBe(
      undefined,
    );
  });

  it('keeps no customer text in the message it stores', () => {
    expect(coalescedMessage('req-9')).toBe(
      'answered together with the newer request req-9 of the same lead (one answer per burst)',
    );
  });
});
