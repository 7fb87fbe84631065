// PostgreSQL and Redis on the load core for the run, as docs/performance.md "Method" says, so
// the API and worker keep core 0 to themselves; their affinity is put back when the bench ends.
import { spawnSync } from 'node:child_process';
import { pinning, setAffinity } from './processes.mjs';

const SERVICES = [
  { name: 'PostgreSQL', command: 'postgres' },
  { name: 'Redis', command: 'redis-server' },
];

function pids(command, oldestOnly = false) {
  const args = oldestOnly ? ['-o', '-x', command] : ['-x', command];
  const found = spawnSync('pgrep', args, { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.split('\n').filter(Boolean) : [];
}

function affinity(pid) {
  const shown = spawnSync('taskset', ['-c', '-p', pid], { encoding: 'utf8' });
  return shown.status === 0 ? /:\s*(\S+)\s*$/.exec(shown.stdout.trim())?.[1] : undefined;
}

/** Pins the local PostgreSQL and Redis to the load core; `restore()` (also run at exit) undoes it. */
export function pinServices(enabled) {
  const original = new Map();
  if (pinning.enabled && enabled) {
    for (const service of SERVICES) {
      // The oldest process is the postmaster (or Redis itself): its affinity is the one to restore.
      // New PostgreSQL backends fork from the postmaster and inherit the pinned affinity.
      const [oldest] = pids(service.command, true);
      const before = oldest && affinity(oldest);
      if (!before) continue;
      const all = pids(service.command);
      if (all.every((pid) => setAffinity(pid, pinning.loadCore))) {
        original.set(service, before);
      } else {
        for (const pid of all) setAffinity(pid, before);
      }
    }
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    for (const [service, before] of original) {
      for (const pid of pids(service.command)) setAffinity(pid, before);
    }
  };
  process.on('exit', restore);
  const names = [...original.keys()].map((s) => s.name);
  return {
    note:
      names.length > 0
        ? `${names.join(' and ')} pinned to core ${pinning.loadCore} for the run`
        : 'PostgreSQL and Redis not pinned',
    restore,
  };
}
