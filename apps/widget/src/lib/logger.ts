// A guest on Kommo's page keeps the console quiet: nothing is printed unless debugging is on
// (`localStorage.gptb_debug = '1'`), and every line says where it comes from.
const PREFIX = '[GPT Bridge]';

export function debugEnabled(): boolean {
  try {
    return globalThis.localStorage?.getItem('gptb_debug') === '1';
  } catch {
    return false; // storage blocked by the browser's privacy settings
  }
}

export const logger = {
  debug(...args: unknown[]): void {
    if (debugEnabled()) console.debug(PREFIX, ...args);
  },
  error(...args: unknown[]): void {
    if (debugEnabled()) console.error(PREFIX, ...args);
  },
};
