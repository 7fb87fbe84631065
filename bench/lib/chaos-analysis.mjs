// The figures of a fault run (docs/fault-run.md, "What each figure means"), from three records:
// the messages we sent, what the sandbox received (Kommo calls, OpenAI calls), and the ai_requests
// rows. Every answer carries its message's token, so an answer names the PROMPT it was made from.
import { round, summary } from './stats.mjs';

const FINAL = new Set(['done', 'failed', 'refused', 'duplicate', 'rejected']);
const ok = (status) => typeof status === 'number' && status >= 200 && status < 300;

/** ai_requests of the run's installations, with the Kommo account for the key. */
export async function loadRows(db, accountIds) {
  const { rows } = await db.query(
    `SELECT r.id, r.seq::text AS seq, i.kommo_account_id::int AS account, r.lead_id::bigint AS lead,
            r.status, r.duplicate_of, r.attempts, r.provider_asks, r.reached_provider,
            r.error_class, r.log_line, r.answer,
            extract(epoch FROM r.received_at) * 1000 AS received_at,
            extract(epoch FROM r.finished_at) * 1000 AS finished_at
       FROM ai_requests r JOIN installations i ON i.id = r.installation_id
      WHERE i.kommo_account_id = ANY($1::bigint[])`,
    [accountIds],
  );
  return rows.map((r) => ({
    ...r,
    seq: BigInt(r.seq),
    lead: Number(r.lead),
    key: `${r.account}:${Number(r.lead)}`,
    received_at: Number(r.received_at),
    finished_at: r.finished_at === null ? null : Number(r.finished_at),
  }));
}

export const pendingCount = (rows) => rows.filter((r) => !FINAL.has(r.status)).length;

const group = (items, key) => {
  const map = new Map();
  for (const item of items) {
    const k = key(item);
    if (!map.has(k)) map.set(k, []);
    map.get(k).push(item);
  }
  return map;
};

const countBy = (items, key) =>
  Object.fromEntries([...group(items, key)].map(([k, list]) => [k, list.length]));

function sending(messages) {
  const attempts = messages.flatMap((m) => m.attempts);
  const acked = messages.filter((m) => m.acked);
  return {
    messages: messages.length,
    posts: attempts.length,
    acked: acked.length,
    answersByStatus: countBy(attempts, (a) => String(a.status)),
    resent: messages.filter((m) => m.attempts.length > 1).length,
    neverAcked: messages.filter((m) => !m.acked).length,
    ackMs: summary(attempts.filter((a) => ok(a.status)).map((a) => a.ms)),
    senderLagMs: summary(messages.map((m) => (m.firstSentAt ?? m.dueAt) - m.dueAt)),
  };
}

/**
 * Per lead, the PATCHes Kommo accepted, in the order it received them: an answer names its
 * message by token; an error line names none.
 */
function leadView(messages, patches) {
  const byToken = new Map(messages.map((m) => [m.g, m]));
  const patchesByLead = group(patches, (p) => `${p.account}:${p.lead}`);
  let orderViolations = 0;
  const violatingLeads = new Set();
  let wrongLead = 0;
  const writesByToken = new Map();
  for (const [key, list] of patchesByLead) {
    let highest = -1;
    for (const patch of list) {
      if (patch.token === null) continue;
      const message = byToken.get(patch.token);
      if (!message || message.key !== key) {
        wrongLead += 1;
        continue;
      }
      writesByToken.set(patch.token, (writesByToken.get(patch.token) ?? 0) + 1);
      if (message.k < highest) {
        orderViolations += 1;
        violatingLeads.add(key);
      }
      highest = Math.max(highest, message.k);
    }
  }
  // A message is served when its lead later got an answer to it or to a later message of the
  // lead (which read the lead after its PROMPT was set), or an error line after it was sent.
  const served = (message) =>
    (patchesByLead.get(message.key) ?? []).some((p) => {
      if (p.token !== null) {
        const answered = byToken.get(p.token);
        return answered?.key === message.key && answered.k >= message.k;
      }
      return p.errorLine !== null && p.at >= message.firstSentAt;
    });
  const lost = messages.filter((m) => m.acked && !served(m));
  // Posts that timed out may still have been stored: such a message can be answered anyway.
  const unackedServed = messages.filter((m) => !m.acked && served(m)).length;
  return { orderViolations, violatingLeads, wrongLead, writesByToken, lost, unackedServed };
}

/** Rows of a lead in arrival order whose delivery (finished_at) came before an older row's. */
function dbOrderViolations(rows) {
  let count = 0;
  for (const list of group(
    rows.filter((r) => r.status === 'done' && r.finished_at !== null),
    (r) => r.key,
  ).values()) {
    list.sort((a, b) => (a.seq < b.seq ? -1 : 1));
    let latest = -Infinity;
    for (const row of list) {
      if (row.finished_at < latest) count += 1;
      latest = Math.max(latest, row.finished_at);
    }
  }
  return count;
}

/** Failed rows whose lead never got their LOG line (or any answer) after they arrived. */
function failedSilently(rows, patches) {
  const patchesByLead = group(patches, (p) => `${p.account}:${p.lead}`);
  return rows.filter((row) => {
    if (row.status !== 'failed') return false;
    const list = patchesByLead.get(row.key) ?? [];
    return !list.some(
      (p) =>
        p.at >= row.received_at &&
        (p.token !== null || (row.log_line && p.errorLine === row.log_line)),
    );
  });
}

/**
 * Per 10 s from the first webhook: messages first sent, 2xx, rows stored, rows done, answers
 * written, and rows pending (stored, not final) at the bucket's end. For reading a run's course.
 */
function timeline({ messages, rows, patches, start }) {
  const end = Math.max(...rows.map((r) => r.finished_at ?? r.received_at), Date.now());
  const buckets = [];
  const slot = (t) => Math.floor((t - start) / 10_000);
  for (let i = 0; i <= slot(end); i += 1) {
    buckets.push({ s: i * 10, sent: 0, acked: 0, stored: 0, done: 0, written: 0, pending: 0 });
  }
  const add = (t, field) => {
    const b = buckets[slot(t)];
    if (t !== null && t !== undefined && b) b[field] += 1;
  };
  for (const m of messages) {
    add(m.firstSentAt, 'sent');
    add(m.ackedAt, 'acked');
  }
  for (const r of rows) {
    add(r.received_at, 'stored');
    if (r.status === 'done') add(r.finished_at, 'done');
  }
  for (const p of patches) add(p.at, 'written');
  const real = rows.filter((r) => r.duplicate_of === null);
  for (const b of buckets) {
    const t = start + (b.s + 10) * 1000;
    b.pending = real.filter(
      (r) => r.received_at <= t && (r.finished_at === null || r.finished_at > t),
    ).length;
  }
  return buckets;
}

export function analyse({
  messages,
  entries,
  rows,
  gaps,
  counters,
  openAiCalls,
  lastFaultEnd,
  start,
}) {
  const patches = entries.filter(
    (e) => e.method === 'PATCH' && e.lead !== undefined && ok(e.status),
  );
  const view = leadView(messages, patches);
  // Done rows per token: two rows that read the same PROMPT both answer it (a documented case),
  // so one answer written more often than rows made it is a request delivered twice.
  const doneByToken = new Map();
  const doneRows = new Map();
  for (const row of rows.filter((r) => r.status === 'done' && r.answer)) {
    const match = /\[cx:(\d+)\]/.exec(row.answer);
    if (!match) continue;
    const token = Number(match[1]);
    doneByToken.set(token, (doneByToken.get(token) ?? 0) + 1);
    doneRows.set(token, [...(doneRows.get(token) ?? []), row]);
  }
  // For reading the case by hand: rows that made the same answer, with when each arrived.
  const twice = [...doneRows].filter(([, list]) => list.length > 1).slice(0, 5);
  const twiceExamples = twice.map(([token, list]) => ({
    token,
    message: messages[token] && { lead: messages[token].key, k: messages[token].k },
    rows: list.map((r) => ({ id: r.id, seq: String(r.seq), receivedAt: r.received_at })),
  }));
  let deliveredTwice = 0;
  let sameAnswerTwice = 0;
  let samePromptTwoRequests = 0;
  for (const [token, writes] of view.writesByToken) {
    deliveredTwice += Math.max(0, writes - (doneByToken.get(token) ?? 0));
    sameAnswerTwice += Math.max(0, writes - 1);
  }
  for (const count of doneByToken.values()) samePromptTwoRequests += Math.max(0, count - 1);

  // Acknowledged posts of a lead against its rows: each 2xx stored one row first.
  const rowsByLead = countBy(rows, (r) => r.key);
  const ackedByLead = countBy(
    messages.flatMap((m) => m.attempts.filter((a) => ok(a.status)).map(() => m.key)),
    (k) => k,
  );
  let acksWithoutRow = 0;
  for (const [key, acked] of Object.entries(ackedByLead)) {
    acksWithoutRow += Math.max(0, acked - (rowsByLead[key] ?? 0));
  }

  const kommo = entries.filter((e) => e.path.startsWith('/api/'));
  const openai = entries.filter((e) => e.path.startsWith('/openai/'));
  const asked = rows.filter((r) => r.duplicate_of === null && r.provider_asks > 0);
  const asks = asked.reduce((n, r) => n + r.provider_asks, 0);
  const silent = failedSilently(rows, patches);
  const lastDone = Math.max(...rows.map((r) => r.finished_at ?? 0), ...patches.map((p) => p.at));
  return {
    sending: { ...sending(messages), neverAckedButAnswered: view.unackedServed },
    rows: {
      total: rows.length,
      byStatus: countBy(rows, (r) => r.status),
      failedByClass: countBy(
        rows.filter((r) => r.status === 'failed'),
        (r) => r.error_class,
      ),
      pendingAtEnd: pendingCount(rows),
      acksWithoutRow,
    },
    lost: {
      count: view.lost.length + acksWithoutRow,
      notServed: view.lost.length,
      examples: view.lost.slice(0, 10).map((m) => ({ g: m.g, lead: m.key, k: m.k })),
    },
    failedWithoutLine: {
      count: silent.length,
      examples: silent.slice(0, 10).map((r) => ({ id: r.id, lead: r.key, class: r.error_class })),
    },
    answeredTwice: {
      oneRequestDeliveredTwice: deliveredTwice,
      sameAnswerWrittenTwice: sameAnswerTwice,
      twoRequestsReadOnePrompt: samePromptTwoRequests,
      examples: twiceExamples,
    },
    order: {
      violations: view.orderViolations,
      leads: view.violatingLeads.size,
      dbViolations: dbOrderViolations(rows),
      answersOfAnotherLead: view.wrongLead,
    },
    provider: {
      // The fake's call log counts a call when it arrives; the request log only once it was
      // answered, so a call cut off by a SIGKILL is in the first alone.
      calls: openAiCalls,
      callsAnswered: openai.filter((e) => ok(e.status)).length,
      requestsThatAsked: asked.length,
      asks,
      reAsks: asks - asked.length,
      perRequest: round(openAiCalls / Math.max(1, asked.length), 4),
      perAckedMessage: round(openAiCalls / Math.max(1, messages.filter((m) => m.acked).length), 4),
    },
    kommo: {
      calls: kommo.length,
      leadReads: kommo.filter((e) => e.method === 'GET' && e.lead !== undefined).length,
      patches: kommo.filter((e) => e.method === 'PATCH').length,
      status429: kommo.filter((e) => e.status === 429).length,
      status403: kommo.filter((e) => e.status === 403).length,
      counters,
      // When each refusal came (seconds after the first webhook), to set beside the faults.
      refusals: kommo
        .filter((e) => e.status === 429 || e.status === 403)
        .map((e) => ({
          s: round((e.at - start) / 1000, 1),
          status: e.status,
          account: e.account,
          method: e.method,
          path: e.path,
        })),
      perMessage: round(kommo.length / Math.max(1, messages.length), 3),
    },
    logGaps: gaps,
    timeline: timeline({ messages, rows, patches, start }),
    drain: {
      lastFaultEndedAt: lastFaultEnd,
      lastDoneAt: lastDone,
      afterLastFaultSeconds: lastFaultEnd ? round((lastDone - lastFaultEnd) / 1000, 1) : null,
      afterLastAckSeconds: round(
        (lastDone - Math.max(...messages.map((m) => m.ackedAt ?? 0))) / 1000,
        1,
      ),
    },
  };
}
