import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type KommoSnapshot, type KommoStore } from './store.js';

export type Persistence = { flush: () => void; stop: () => void };

/**
 * Keeps the store in a JSON file (opt-in via `SANDBOX_STATE_FILE` / `kommoStateFile`): loaded once
 * at start, rewritten 200 ms after the last change. The request log and faults are not saved.
 */
export function attachPersistence(store: KommoStore, file: string, debounceMs = 200): Persistence {
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    if (text.trim()) store.restore(JSON.parse(text) as KommoSnapshot);
  }
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    // Write then rename so a crash never leaves half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify(store.snapshot(), null, 2));
    renameSync(`${file}.tmp`, file);
  };
  store.onChange = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
    timer.unref();
  };
  store.persistence = {
    flush,
    stop: () => {
      if (timer) flush();
      store.onChange = () => {};
    },
  };
  return store.persistence;
}
