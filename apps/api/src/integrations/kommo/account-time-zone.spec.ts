import { describe, expect, it } from 'vitest';
import { accountTimeZone } from './account-time-zone';

describe('accountTimeZone', () => {
  it('keeps IANA zones and falls back for anything else', () => {
    expect(accountTimeZone('America/Sao_Paulo')).toBe('America/Sao_Paulo');
    expect(accountTimeZone('Europe/Moscow')).toBe('Europe/Moscow');
    expect(accountTimeZone('Mars/Olympus')).toBe('UTC');
    expect(accountTimeZone("UTC'; DROP TABLE x; --")).toBe('UTC');
    expect(accountTimeZone(undefined, 'Europe/Madrid')).toBe('Europe/Madrid');
  });
});
