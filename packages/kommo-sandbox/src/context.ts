import { SandboxClock } from './clock.js';

/**
 * What every part of the sandbox shares. The Kommo core adds its state store here; the other
 * parts (AI fakes, salesbot engine, widget host) read what they need from it.
 */
export type SandboxContext = {
  clock: SandboxClock;
  /** The sandbox's own base URL once it listens (for links it hands out, e.g. return_url). */
  publicUrl: { value: string };
};

export type SandboxOptions = {
  logger?: boolean;
  /** Virtual clock speed (1 = real time). */
  speed?: number;
};

export function createContext(options: SandboxOptions = {}): SandboxContext {
  return { clock: new SandboxClock({ speed: options.speed }), publicUrl: { value: '' } };
}
