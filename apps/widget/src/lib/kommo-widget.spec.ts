import { describe, expect, it } from 'vitest';
import { traceQuery } from './api-client';
import { currentLeadId, viewerId } from './kommo-widget';

describe('currentLeadId (docs/kommo-contract.md §9.5)', () => {
  const card = (current_card: unknown, current_entity: unknown = 'leads') => ({
    data: { current_card, current_entity },
  });

  it('reads the lead id of an open lead card', () => {
    expect(currentLeadId(card({ id: 4711, element_type: 2 }))).toBe(4711);
    expect(currentLeadId(card({ id: '4711' }, 'leads'))).toBe(4711);
    expect(currentLeadId(card({ id: 4711, element_type: '2' }, null))).toBe(4711);
  });

  it('is null outside a card, in a card being created and in other cards', () => {
    expect(currentLeadId(undefined)).toBeNull();
    expect(currentLeadId({})).toBeNull();
    expect(currentLeadId(card(false, null))).toBeNull();
    expect(currentLeadId(card({ id: 0, element_type: 2 }))).toBeNull();
    expect(currentLeadId(card({ id: 12, element_type: 1 }, 'contacts'))).toBeNull();
    for (const id of [-3, 1.5, '12a', '', null, Number.MAX_SAFE_INTEGER + 2]) {
      expect(currentLeadId(card({ id, element_type: 2 })), String(id)).toBeNull();
    }
  });
});

describe('traceQuery', () => {
  it('sends only what is set, encoded', () => {
    expect(traceQuery({})).toBe('');
    expect(traceQuery({ limit: 20 })).toBe('?limit=20');
    expect(traceQuery({ limit: 5, before: '2026-12-07T14:00:00.000+00:00' })).toBe(
      '?limit=5&before=2026-12-07T14%3A00%3A00.000%2B00%3A00',
    );
  });
});

describe('viewerId', () => {
  it('reads system().amouser_id, a string in Kommo', () => {
    expect(viewerId({ system: () => ({ amouser_id: '42' }) })).toBe(42);
    expect(viewerId({ system: () => ({}) })).toBeNull();
    expect(viewerId({ system: () => ({ amouser_id: 'x' }) })).toBeNull();
    expect(viewerId({ system: () => ({ amouser_id: '0' }) })).toBeNull();
  });
});
