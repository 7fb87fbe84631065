import { describe, expect, it } from 'vitest';
import { silentReason } from './silent-reason';

const row = (status: Parameters<typeof silentReason>[0]['status'], errorClass: string | null) =>
  silentReason({ status, errorClass, answer: null });

describe('silent reason', () => {
  it('is null while a request may still answer, and for an answer', () => {
    expect(row('queued', null)).toBeNull();
    expect(row('processing', null)).toBeNull();
    expect(row('answered', null)).toBeNull();
    expect(silentReason({ status: 'done', errorClass: null, answer: 'Hi' })).toBeNull();
  });

  it('names the quota, the cost cap and a duplicate', () => {
    expect(row('refused', 'quota')).toBe('quota');
    expect(row('refused', 'cost_cap')).toBe('cost_cap');
    expect(row('duplicate', null)).toBe('duplicate');
  });

  it('takes an error class named like a reason as that reason (issue 22 pauses)', () => {
    expect(row('refused', 'paused_by_person')).toBe('paused_by_person');
    expect(row('failed', 'superseded_by_human')).toBe('superseded_by_human');
    expect(row('done', 'coalesced')).toBe('coalesced');
  });

  it('groups provider errors, missing fields and refusals', () => {
    expect(row('failed', 'auth')).toBe('provider_error');
    expect(row('failed', 'timeout')).toBe('provider_error');
    expect(row('failed', 'fields_missing')).toBe('field_missing');
    expect(row('failed', 'empty_prompt')).toBe('field_missing');
    expect(row('refused', 'bad_token')).toBe('rejected');
    expect(row('failed', 'continue_expired')).toBe('rejected');
    expect(row('refused', null)).toBe('rejected');
  });

  it('leaves other failures to the error class', () => {
    expect(row('failed', 'kommo_blocked')).toBeNull();
    expect(row('failed', 'erased')).toBeNull();
  });
});
