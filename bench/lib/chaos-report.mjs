// The fault run's table, bench/results/chaos-latest.json, and (CHAOS_WRITE_DOCS=1) the table in
// docs/fault-run.md between its markers.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RESULTS_DIR, ROOT } from './stack.mjs';

const DOCS = path.join(ROOT, 'docs/fault-run.md');
const START = '<!-- chaos:table:start -->';
const END = '<!-- chaos:table:end -->';

const fmt = (n) => (n === null || n === undefined ? 'n/a' : Number(n).toLocaleString('en-US'));
const list = (counts) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ') || 'none';
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function faultLine(results) {
  const { faults, startedAt } = results;
  const kills = faults.filter((f) => f.kind === 'worker-kill');
  const others = faults
    .filter((f) => f.kind !== 'worker-kill')
    .map((f) => {
      const at = seconds(f.startedAt - startedAt);
      const back = f.endedAt
        ? `serving again ${seconds(f.endedAt - f.startedAt)} later`
        : 'not back';
      return `${f.kind}${f.seconds ? ` (${f.seconds} s)` : ''} at ${at}, ${back}`;
    });
  const back = kills.filter((f) => f.endedAt).map((f) => f.endedAt - f.startedAt);
  const waited = kills.filter((f) => f.delayedMs > 1000);
  const waitedText = waited.length
    ? `; ${waited.length} kills waited up to ${seconds(Math.max(...waited.map((f) => f.delayedMs)))} for a worker that served`
    : '';
  const slowest = back.length ? Math.max(...back) : null;
  return (
    `${kills.length} worker SIGKILLs (${kills.filter((f) => f.worker === 'a').length} of a, ` +
    `${kills.filter((f) => f.worker === 'b').length} of b; restarted after ${seconds(results.config.faults.restartDelayMs)}, ` +
    `serving again within ${slowest === null ? 'n/a' : seconds(slowest)}${waitedText}); ${others.join('; ')}`
  );
}

export function markdownTable(results) {
  const { machine, config, figures: f } = results;
  const kind = config.quick
    ? '**Smoke run** (`CHAOS_QUICK=1`: a small load and short faults; it shows the harness works)'
    : '**Full run**';
  const s = f.sending;
  const exits = results.processes.unexpected;
  const rows = [
    [
      'webhooks sent',
      `${fmt(s.messages)} messages in ${config.sendSeconds} s to ${config.accounts} accounts × ${config.leadsPerAccount} leads (a message per lead every ${((config.accounts * config.leadsPerAccount * config.sendSeconds) / s.messages).toFixed(1)} s), ${fmt(s.posts)} posts with resends; provider latency ${config.providerLatencyMs} ms`,
    ],
    [
      'acknowledged (2xx)',
      `${fmt(s.acked)} messages; ${fmt(s.resent)} needed a resend; ${fmt(s.neverAcked)} never acknowledged (${fmt(s.neverAckedButAnswered)} of them answered all the same: a timed-out post had been stored); ack p50 ${s.ackMs.p50} / p99 ${s.ackMs.p99} / max ${s.ackMs.max} ms`,
    ],
    [
      'answers to posts',
      `${list(s.answersByStatus)} (timeout: no answer within ${config.ackTimeoutMs} ms; each resent like Kommo, after 1, 2, 4, 8, then every 10 s, for up to ${config.resendWindowSeconds} s)`,
    ],
    [
      'ai_requests rows',
      `${fmt(f.rows.total)}: ${list(f.rows.byStatus)}; failed by class: ${list(f.rows.failedByClass)}`,
    ],
    [
      'lost',
      `**${fmt(f.lost.count)}** (${fmt(f.lost.notServed)} acknowledged messages whose lead got no answer to it or a later message and no error line; ${fmt(f.rows.acksWithoutRow)} 2xx without a row); ${fmt(f.rows.pendingAtEnd)} rows still pending at the end`,
    ],
    ['failed without an answer or error line on the lead', `**${fmt(f.failedWithoutLine.count)}**`],
    [
      'answered twice',
      `**${fmt(f.answeredTwice.oneRequestDeliveredTwice)}** requests whose answer was written twice; ${fmt(f.answeredTwice.twoRequestsReadOnePrompt)} requests made the same answer as an earlier request of their lead, having read the same PROMPT (documented, architecture.md "Duplicates"), and ${fmt(f.answeredTwice.sameAnswerWrittenTwice)} answers reached the lead a second time that way`,
    ],
    [
      'order violations',
      `**${fmt(f.order.violations)}** answers written after a later message's answer (${fmt(f.order.leads)} leads); ${fmt(f.order.dbViolations)} rows finished before an older row of their lead; ${fmt(f.order.answersOfAnotherLead)} answers of another lead's message`,
    ],
    [
      'provider calls per request',
      `**${f.provider.perRequest}** (${fmt(f.provider.calls)} OpenAI calls, ${fmt(f.provider.callsAnswered)} answered 200 to a worker still there, for ${fmt(f.provider.requestsThatAsked)} requests that asked; ${fmt(f.provider.reAsks)} re-asks counted in provider_asks); ${f.provider.perAckedMessage} per acknowledged message`,
    ],
    [
      'Kommo 429s / 403s',
      `**${fmt(f.kommo.status429)} / ${fmt(f.kommo.status403)}**${f.kommo.refusals.length ? ` (at ${f.kommo.refusals.map((r) => `${r.s} s`).join(', ')})` : ''} (sandbox counters ${fmt(f.kommo.counters?.status429)} / ${fmt(f.kommo.counters?.status403)}); ${fmt(f.kommo.calls)} Kommo calls (${fmt(f.kommo.leadReads)} lead reads, ${fmt(f.kommo.patches)} PATCHes), ${f.kommo.perMessage} per message`,
    ],
    [
      'processes that exited on their own',
      `**${exits.length}**${exits.length ? `: ${exits.join('; ')}` : ''}`,
    ],
    [
      'drain after the last fault',
      `**${f.drain.afterLastFaultSeconds === null ? 'n/a' : `${f.drain.afterLastFaultSeconds} s`}** (last fault over at ${seconds(f.drain.lastFaultEndedAt - results.startedAt)}, the sending ended at ${seconds(results.sendEndedAt - results.startedAt)}); ${f.drain.afterLastAckSeconds} s after the last 2xx`,
    ],
    ['faults', faultLine(results)],
  ];
  if (f.logGaps > 0) {
    rows.push(['sandbox log', `**${fmt(f.logGaps)} entries dropped before they were read**`]);
  }
  return [
    `${kind}, ${results.date}, commit ${results.commit}. ${machine.cpu} × ${machine.cores} cores, ` +
      `Node ${machine.node}, PostgreSQL ${machine.postgres}, Redis ${machine.redis}; load average ` +
      `${machine.loadBefore.join(' / ')} before, ${machine.loadDuring.mean} mean and ${machine.loadDuring.max} max (1 min) during the run. ` +
      `Run time ${results.durationSeconds} s; this script's event loop lag p99 ${machine.harness.eventLoopDelayMs.p99} ms, max ${machine.harness.eventLoopDelayMs.max} ms, ${machine.harness.cpuSeconds} s of CPU.`,
    '',
    '| measure | result |',
    '|---|---|',
    ...rows.map(([a, b]) => `| ${a} | ${b} |`),
  ].join('\n');
}

export function writeResults(results) {
  const file = path.join(RESULTS_DIR, 'chaos-latest.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

/** Replaces the table between the markers in docs/fault-run.md (the rest is left alone). */
export function writeDocsTable(table) {
  const text = readFileSync(DOCS, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end === -1) throw new Error(`markers ${START} / ${END} missing in ${DOCS}`);
  writeFileSync(DOCS, `${text.slice(0, start + START.length)}\n${table}\n${text.slice(end)}`);
  return DOCS;
}
