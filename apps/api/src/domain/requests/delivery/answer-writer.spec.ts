import { describe, expect, it } from 'vitest';
import { fieldWrite } from './answer-writer';

describe('fieldWrite', () => {
  it('sends text as one value and empty as values: null (Kommo ignores "")', () => {
    expect(fieldWrite(7, 'ok')).toEqual({ field_id: 7, values: [{ value: 'ok' }] });
    expect(fieldWrite(7, '')).toEqual({ field_id: 7, values: null });
  });
});
