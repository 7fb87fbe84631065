import { z } from 'zod';

// Kommo's redirect and uninstall calls (docs/kommo-contract.md §2.2, §2.7). The routes' own
// checks (code shape, referer host, state, signature) answer the browser with a page, so they stay
// there; these only type what arrives. A repeated name is refused earlier (malformed-input.ts).
const text = z.string().optional();

/** `GET /kommo/oauth/callback`: Kommo's install call or the browser back from consent. */
export const CallbackQuery = z.object({
  code: text,
  state: text,
  referer: text,
  from_widget: text,
  error: text,
  client_id: text,
});
export type CallbackQuery = z.output<typeof CallbackQuery>;

/** `GET /kommo/uninstall`: Kommo's signed hook on disabling the integration. */
export const UninstallQuery = z.object({ client_uuid: text, account_id: text, signature: text });
export type UninstallQuery = z.output<typeof UninstallQuery>;
