import { SandboxClock } from './clock.js';
import { attachPersistence } from './kommo/persistence.js';
import { KommoStore } from './kommo/store.js';
import { type Integration } from './kommo/types.js';
import { WebhookDispatcher } from './kommo/webhooks/delivery.js';

/**
 * What every part of the sandbox shares. The Kommo core adds its state store here; the other
 * parts (AI fakes, salesbot engine, widget host) read what they need from it.
 */
export type SandboxContext = {
  clock: SandboxClock;
  /** The sandbox's own base URL once it listens (for links it hands out, e.g. return_url). */
  publicUrl: { value: string };
  /** The fake Kommo: accounts, leads, fields, OAuth grants, request log, rate limiter, faults. */
  kommo: KommoStore;
  /** Account webhooks on their way out (docs/kommo-contract.md §8.1.3). */
  webhooks: WebhookDispatcher;
  /**
   * `POST /_sandbox/reset` clears the Kommo store, then calls these; other parts add their own
   * state reset here (`context.resetHooks.add(() => …)`).
   */
  resetHooks: Set<() => void>;
};

export type SandboxOptions = {
  logger?: boolean;
  /** Virtual clock speed (1 = real time). */
  speed?: number;
  /** Keep the Kommo state in this JSON file (default: `SANDBOX_STATE_FILE`, else memory only). */
  kommoStateFile?: string;
  /** Integration settings to start with (default: env `SANDBOX_CLIENT_ID`, `SANDBOX_CLIENT_SECRET`, `SANDBOX_REDIRECT_URI`, `SANDBOX_UNINSTALL_HOOK_URL`, else random). */
  integration?: Partial<Integration>;
};

export function createContext(options: SandboxOptions = {}): SandboxContext {
  const clock = new SandboxClock({ speed: options.speed });
  const kommo = new KommoStore(clock);
  const env = process.env;
  const fromEnv: Partial<Integration> = {
    ...(env.SANDBOX_CLIENT_ID ? { client_id: env.SANDBOX_CLIENT_ID } : {}),
    ...(env.SANDBOX_CLIENT_SECRET ? { client_secret: env.SANDBOX_CLIENT_SECRET } : {}),
    ...(env.SANDBOX_REDIRECT_URI ? { redirect_uri: env.SANDBOX_REDIRECT_URI } : {}),
    ...(env.SANDBOX_UNINSTALL_HOOK_URL
      ? { uninstall_hook_url: env.SANDBOX_UNINSTALL_HOOK_URL }
      : {}),
  };
  kommo.integration = { ...kommo.integration, ...fromEnv, ...options.integration };
  const stateFile = options.kommoStateFile ?? env.SANDBOX_STATE_FILE;
  if (stateFile) attachPersistence(kommo, stateFile);
  return {
    clock,
    publicUrl: { value: '' },
    kommo,
    webhooks: new WebhookDispatcher(clock, kommo),
    resetHooks: new Set(),
  };
}
