// Resident memory of the API and worker processes, read from /proc (Linux only). VmRSS is sampled
// during a run (the peak of one run); VmHWM is the process's own lifetime peak.
import { readFileSync } from 'node:fs';

function statusKb(pid, field) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

const mb = (kb) => (kb === null ? null : Math.round((kb / 1024) * 10) / 10);

/** Samples VmRSS of the named processes every `intervalMs` until stop() returns their peaks in MB. */
export function sampleMemory(processes, intervalMs = 200) {
  const peaks = Object.fromEntries(Object.keys(processes).map((name) => [name, null]));
  const take = () => {
    for (const [name, entry] of Object.entries(processes)) {
      const rss = entry?.child.pid ? statusKb(entry.child.pid, 'VmRSS') : null;
      if (rss !== null && (peaks[name] === null || rss > peaks[name])) peaks[name] = rss;
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return Object.fromEntries(Object.entries(peaks).map(([name, kb]) => [name, mb(kb)]));
    },
  };
}

/** The lifetime peak RSS (VmHWM) of a live process, in MB. */
export function lifetimePeakMb(entry) {
  return entry?.child.pid ? mb(statusKb(entry.child.pid, 'VmHWM')) : null;
}
