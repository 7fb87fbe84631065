// What Kommo and the fake OpenAI saw during a fault run. The sandbox keeps only its last 20,000
// requests and a run makes about three per webhook, so the log is read every second and kept here
// in short form (a gap in its ids would mean entries were dropped before we read them).
import { sleep } from './processes.mjs';
import { TOKEN_RE } from './chaos-sender.mjs';

/** The first `[cx:n]` anywhere in a request body's strings, and an `ERROR …` LOG line. */
function scan(body) {
  let token = null;
  let errorLine = null;
  const visit = (value) => {
    if (typeof value === 'string') {
      const match = token === null ? TOKEN_RE.exec(value) : null;
      if (match) token = Number(match[1]);
      if (errorLine === null && value.startsWith('ERROR')) errorLine = value;
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(visit);
    }
  };
  visit(body);
  return { token, errorLine };
}

function compact(entry, offset) {
  const base = {
    id: entry.id,
    // Our clock when the sandbox received it (the log stamps a request when it is answered).
    at: entry.at - entry.duration_ms + offset,
    account: entry.account_id,
    method: entry.method,
    path: entry.path,
    status: entry.status,
  };
  const lead = /^\/api\/v4\/leads\/(\d+)$/.exec(entry.path);
  if (lead) base.lead = Number(lead[1]);
  if (entry.method === 'PATCH' || entry.path.startsWith('/openai/')) {
    Object.assign(base, scan(entry.body));
  }
  return base;
}

/** Reads the sandbox's request log every `intervalMs` until stop(); `entries` in log order. */
export function startLogReader(sandbox, { since, offset, intervalMs = 1000 }) {
  const entries = [];
  let lastId = 0;
  let lastAt = since;
  let gaps = 0;
  let stopped = false;
  const readOnce = async () => {
    const { requests } = await sandbox.call('GET', `/_sandbox/requests?since=${lastAt}`);
    for (const entry of requests) {
      if (entry.id <= lastId) continue;
      if (lastId > 0 && entry.id !== lastId + 1) gaps += entry.id - lastId - 1;
      lastId = entry.id;
      lastAt = entry.at;
      if (entry.direction === 'in') entries.push(compact(entry, offset));
    }
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        await readOnce();
      } catch {
        // The sandbox was busy; the next read catches up.
      }
      await sleep(intervalMs);
    }
  })();
  return {
    entries,
    gaps: () => gaps,
    async stop() {
      stopped = true;
      await loop;
      await readOnce();
      return { entries, gaps };
    },
  };
}
