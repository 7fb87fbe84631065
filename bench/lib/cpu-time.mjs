// CPU time a process has used (user + system, from /proc; Linux only). Per request it is a
// steadier figure than req/s on this VM: a round where the machine is slow takes longer, but
// costs about the same CPU.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** Milliseconds of CPU the started process has used so far, or null when /proc cannot say. */
export function cpuMs(entry) {
  try {
    const stat = readFileSync(`/proc/${entry.child.pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
