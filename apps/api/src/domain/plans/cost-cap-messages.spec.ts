import { describe, expect, it } from 'vitest';
import { costCapLogLine } from './cost-cap-messages';

const facts = { capUsd: 5, costUsd: 5.004, resetsOn: '2027-01-01' };

describe('cost cap LOG line', () => {
  it('speaks the account language and keeps one searchable prefix', () => {
    expect(costCapLogLine('en', facts)).toBe(
      "ERROR cost cap: this month's estimated AI cost (US$ 5.00) reached the cap of US$ 5.00 the account's owner set; it resets on 2027-01-01",
    );
    expect(costCapLogLine('pt', facts)).toMatch(/^ERROR cost cap: o custo estimado .*2027-01-01$/);
    expect(costCapLogLine('es', facts)).toMatch(/^ERROR cost cap: el costo estimado .*2027-01-01$/);
  });

  it('falls back to English for another language', () => {
    expect(costCapLogLine('de', facts)).toBe(costCapLogLine('en', facts));
  });
});
