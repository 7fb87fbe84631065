import { STORED_ERROR_CLASSES } from '@gpt-bridge/shared';
import { describe, expect, it } from 'vitest';
import { ERROR_CLASS_HINTS, errorClassHint } from './error-classes';

describe('error class hints', () => {
  it('explains every stored class, and nothing else', () => {
    expect(Object.keys(ERROR_CLASS_HINTS).sort()).toEqual([...STORED_ERROR_CLASSES].sort());
    for (const code of STORED_ERROR_CLASSES) expect(errorClassHint(code)).toMatch(/\w/);
  });

  it('has no hint for nothing or an unknown value', () => {
    expect(errorClassHint(null)).toBeUndefined();
    expect(errorClassHint('toString')).toBeUndefined();
  });
});
