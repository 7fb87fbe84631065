import { describe, expect, it } from 'vitest';
import { isStoredErrorClass, STORED_ERROR_CLASSES } from './error-classes.js';

describe('stored error classes', () => {
  it('lists each code once, in the snake_case the column holds', () => {
    expect(new Set(STORED_ERROR_CLASSES).size).toBe(STORED_ERROR_CLASSES.length);
    for (const code of STORED_ERROR_CLASSES) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });

  it('tells a stored code from anything else', () => {
    expect(isStoredErrorClass('kommo_blocked')).toBe(true);
    expect(isStoredErrorClass('auth')).toBe(true);
    expect(isStoredErrorClass('kommo_teapot')).toBe(false);
    expect(isStoredErrorClass(null)).toBe(false);
  });
});
