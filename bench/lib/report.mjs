// The goals check, the markdown table, bench/results/latest.json, and (BENCH_WRITE_DOCS=1) the
// table in docs/performance.md between its markers.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GOALS } from './config.mjs';
import { RESULTS_DIR, ROOT } from './stack.mjs';

const DOCS = path.join(ROOT, 'docs/performance.md');
const START = '<!-- bench:table:start -->';
const END = '<!-- bench:table:end -->';

const fmt = (n) => (n === null || n === undefined ? 'n/a' : Number(n).toLocaleString('en-US'));
const verdict = (ok) => (ok === null ? 'n/a' : ok ? 'pass' : 'FAIL');

// A fixed-rate latency only counts when the rate was reached; a server that fell behind would
// otherwise report the latency of a lighter load.
const rateReached = (latency) => latency.ours.rps >= 0.95 * latency.rate;
const latencyPass = (latency) =>
  rateReached(latency) &&
  latency.ours.latencyMs.p99 <= GOALS.ackP99MaxMs &&
  latency.ours.non2xx + latency.ours.errors === 0;

const widgetPass = (p) =>
  p.missing === 0 &&
  p.acksNot2xx === 0 &&
  (p.answeredWithoutProvider ?? 0) === 0 &&
  p.overheadMs.p50 <= GOALS.e2eOverheadP50MaxMs &&
  p.overheadMs.p99 <= GOALS.e2eOverheadP99MaxMs;

/** pass / fail per goal of issue 10; null when the run did not produce the figure. */
export function checkGoals(results) {
  const goals = [];
  const ack = Object.entries(results.runs.ack?.bodies ?? {});
  if (ack.length > 0) {
    goals.push({
      goal: `ack throughput ≥ ${GOALS.ackRatioMin} × bare Fastify (median same-round ratio)`,
      value: Object.fromEntries(ack.map(([kind, b]) => [kind, b.ratioMedian])),
      pass: ack.every(([, b]) => b.ratioMedian >= GOALS.ackRatioMin && b.oursNon2xx === 0),
    });
    goals.push({
      goal: `ack p99 ≤ ${GOALS.ackP99MaxMs} ms at ${results.config.ack.latencyRate} req/s`,
      value: Object.fromEntries(ack.map(([kind, b]) => [kind, b.latency.ours.latencyMs.p99])),
      pass: ack.every(([, b]) => latencyPass(b.latency)),
    });
  }
  const phases = results.runs.e2e?.phases ?? [];
  if (phases.length > 0) {
    goals.push({
      goal: `end-to-end overhead p50 ≤ ${GOALS.e2eOverheadP50MaxMs} ms and p99 ≤ ${GOALS.e2eOverheadP99MaxMs} ms, none missing`,
      value: Object.fromEntries(
        phases.map((p) => [
          `${p.providerLatencyMs}ms`,
          { p50: p.overheadMs.p50, p99: p.overheadMs.p99 },
        ]),
      ),
      pass: phases.every(
        (p) =>
          p.missing === 0 &&
          p.acksNot2xx === 0 &&
          p.overheadMs.p50 <= GOALS.e2eOverheadP50MaxMs &&
          p.overheadMs.p99 <= GOALS.e2eOverheadP99MaxMs,
      ),
    });
  }
  const widget = results.runs.e2e?.widgetPhases ?? [];
  if (widget.length > 0) {
    goals.push({
      goal: `widget-block overhead p50 ≤ ${GOALS.e2eOverheadP50MaxMs} ms and p99 ≤ ${GOALS.e2eOverheadP99MaxMs} ms, none missing`,
      value: Object.fromEntries(
        widget.map((p) => [
          `${p.providerLatencyMs}ms`,
          { p50: p.overheadMs.p50, p99: p.overheadMs.p99 },
        ]),
      ),
      pass: widget.every(widgetPass),
    });
  }
  const drain = results.runs.drain;
  const total429 =
    [...phases, ...widget].reduce((n, p) => n + p.kommo429, 0) + (drain ? drain.kommo429 : 0);
  if (drain || phases.length > 0 || widget.length > 0) {
    goals.push({
      goal: 'Kommo 429s seen by the sandbox: 0',
      value: total429,
      pass: total429 === 0,
    });
  }
  const burst = results.runs.burst?.phases ?? [];
  const twin = { classic: 'classic-fixed', widget: 'widget-fixed' };
  const ours = burst.filter((p) => p.template in twin);
  if (ours.length > 0) {
    const fixed = (p) => burst.find((q) => q.template === twin[p.template]);
    goals.push({
      goal: 'one answer per burst of 3 messages within 2 s, covering all three, sooner than the fixed 20 s window',
      value: Object.fromEntries(
        ours.map((p) => [
          p.template,
          {
            p50: p.lastMessageToAnswerMs.p50,
            fixedP50: fixed(p)?.lastMessageToAnswerMs.p50 ?? null,
          },
        ]),
      ),
      pass: ours.every(
        (p) =>
          p.missing === 0 &&
          p.extraAnswers === 0 &&
          p.notCovered === 0 &&
          (fixed(p) === undefined ||
            p.lastMessageToAnswerMs.p50 < fixed(p).lastMessageToAnswerMs.p50),
      ),
    });
  }
  if (drain) {
    goals.push({
      goal: `drain time ≤ ${GOALS.drainRatioMax} × the minimum`,
      value: drain.drainRatio,
      pass:
        drain.missing === 0 && drain.drainRatio !== null && drain.drainRatio <= GOALS.drainRatioMax,
    });
  }
  return goals;
}

export function markdownTable(results) {
  const { machine, config } = results;
  const lines = [];
  const kind = config.quick
    ? '**Smoke run** (`BENCH_QUICK=1`: tiny durations and counts; the figures only show the harness works)'
    : '**Full run**';
  lines.push(
    `${kind}, ${results.date}. ${machine.cpu} × ${machine.cores} cores, Node ${machine.node}, ` +
      `PostgreSQL ${machine.postgres}, Redis ${machine.redis}; load average before the run ` +
      `${machine.loadBefore.join(' / ')}. ${machine.pinning}.`,
    '',
    '| run | measure | result | goal | status |',
    '|---|---|---|---|---|',
  );
  const status = (prefix) =>
    verdict(results.goals.find((g) => g.goal.startsWith(prefix))?.pass ?? null);
  const ack = results.runs.ack;
  for (const [body, b] of Object.entries(ack?.bodies ?? {})) {
    lines.push(
      `| 1 ack | capacity, ${body} body (${b.bodyBytes} B), ${config.ack.connections} connections, ` +
        `${b.rounds.length} × ${config.ack.durationSeconds} s interleaved | ours ${fmt(b.oursRpsMedian)} req/s, ` +
        `bare Fastify ${fmt(b.baselineRpsMedian)} req/s (medians); same-round ratio ${b.ratioMedian} ` +
        `(${b.ratioMin}–${b.ratioMax}); ${b.oursNon2xx} non-2xx | ratio ≥ ${GOALS.ackRatioMin} | ${verdict(b.ratioMedian >= GOALS.ackRatioMin && b.oursNon2xx === 0)} |`,
    );
    const l = b.latency;
    lines.push(
      `| 1 ack | latency at ${l.rate} req/s, ${l.connections} connections, ${l.seconds} s, ${body} body | ` +
        `p50 ${l.ours.latencyMs.p50} / p99 ${l.ours.latencyMs.p99} / max ${l.ours.latencyMs.max} ms ` +
        `(bare Fastify p99 ${l.baseline.latencyMs.p99} ms); ${l.ours.non2xx + l.ours.errors} non-2xx` +
        `${rateReached(l) ? '' : `; **rate not reached: ${fmt(l.ours.rps)} req/s**`} | ` +
        `p99 ≤ ${GOALS.ackP99MaxMs} ms | ${verdict(latencyPass(l))} |`,
    );
  }
  if (ack) {
    lines.push(
      `| 1 ack | ledger: 2xx answered vs rows stored | ${fmt(ack.ledger.acked2xx)} vs ${fmt(ack.ledger.rowsStored)} ` +
        `(${ack.ledger.duplicates} duplicates) | rows ≥ 2xx | ${verdict(ack.ledger.rowsStored >= ack.ledger.acked2xx)} |`,
    );
  }
  for (const p of results.runs.e2e?.phases ?? []) {
    lines.push(
      `| 2 end to end | overhead beyond a ${fmt(p.providerLatencyMs)} ms provider, ${p.ratePerSecond} webhooks/s ` +
        `over ${p.accounts} accounts, ${p.webhooks} webhooks, worker concurrency ${p.workerConcurrency} | p50 ${p.overheadMs.p50} / p99 ${p.overheadMs.p99} / ` +
        `max ${p.overheadMs.max} ms; ${p.missing} missing, ${p.acksNot2xx} acks not 2xx (${stages(p.stagesMs)}) | p50 ≤ ${GOALS.e2eOverheadP50MaxMs}, ` +
        `p99 ≤ ${GOALS.e2eOverheadP99MaxMs} ms | ${verdict(p.missing === 0 && p.acksNot2xx === 0 && p.overheadMs.p50 <= GOALS.e2eOverheadP50MaxMs && p.overheadMs.p99 <= GOALS.e2eOverheadP99MaxMs)} |`,
    );
  }
  for (const p of results.runs.e2e?.widgetPhases ?? []) {
    lines.push(
      `| 2 end to end, widget block | overhead beyond a ${fmt(p.providerLatencyMs)} ms provider, widget_request → continue, ` +
        `${p.ratePerSecond} messages/s over ${p.accounts} accounts, ${p.webhooks} messages | p50 ${p.overheadMs.p50} / ` +
        `p99 ${p.overheadMs.p99} / max ${p.overheadMs.max} ms; ${p.missing} missing, ` +
        `${p.answeredWithoutProvider ?? 0} answered without a provider call, ${p.acksNot2xx} widget_requests ` +
        `not acknowledged (p50 of stages: ack ${p.ackMs.p50}, widget_request → provider call ` +
        `${p.stagesMs.sentToProviderCall.p50}, provider call → continue beyond the provider ` +
        `${p.stagesMs.providerCallToContinue.p50} ms) | p50 ≤ ${GOALS.e2eOverheadP50MaxMs}, ` +
        `p99 ≤ ${GOALS.e2eOverheadP99MaxMs} ms | ${verdict(widgetPass(p))} |`,
    );
  }
  const drain = results.runs.drain;
  if (drain || results.runs.e2e) {
    const g = results.goals.find((x) => x.goal.startsWith('Kommo 429s'));
    lines.push(
      `| 2, 3 Kommo limit | 429s the sandbox answered us (it allows 7/s per account) | ${g.value} | 0 | ${verdict(g.pass)} |`,
    );
  }
  if (drain) {
    lines.push(
      `| 3 Kommo limit | drain of ${drain.accounts} accounts × ${drain.burstPerAccount} messages ` +
        `(${drain.kommoCallsPerMessage} Kommo calls per message) | slowest account ${drain.slowestDrainSeconds} s vs minimum ` +
        `${drain.minimumSeconds} s (2 × ${drain.burstPerAccount} / ${drain.budgetPerSecond} per s): ratio ${drain.drainRatio}; ` +
        `${drain.missing} missing | ≤ ${GOALS.drainRatioMax} × | ${status('drain time')} |`,
    );
  }
  const burst = results.runs.burst;
  for (const p of burst?.phases ?? []) {
    const l = p.lastMessageToAnswerMs;
    const ours = p.template === 'classic' || p.template === 'widget';
    lines.push(
      `| 5 burst | ${p.name}: ${p.bursts} bursts of ${burst.messagesPerBurst} messages ${burst.gapMs} ms apart, ` +
        `provider ${fmt(burst.providerLatencyMs)} ms; last message → answer (real time) | ` +
        `p50 ${fmt(l.p50)} / p90 ${fmt(l.p90)} / max ${fmt(l.max)} ms; ${p.missing} without an answer after ` +
        `the last message, ${p.extraAnswers} with more than one answer, ${p.notCovered} leaving a message out, ` +
        `${p.coalescedRequests} requests coalesced | ${ours ? 'one answer covering all, sooner than the 20 s twin' : 'reference'} | ` +
        `${ours ? status('one answer per burst') : 'n/a'} |`,
    );
  }
  const memory = results.runs.memory;
  if (memory) {
    const part = (label, value) =>
      `${label} ${value === null || value === undefined ? 'n/a' : `${value} MB`}`;
    lines.push(
      `| 4 memory | peak RSS (sampled every 200 ms) | ${[
        part('API in run 1', memory.run1?.api),
        part('bare Fastify in run 1', memory.run1?.baseline),
        part('API in run 2', memory.run2?.api),
        part('worker in run 2', memory.run2?.worker),
        part('worker in run 3', memory.run3?.worker),
      ].join('; ')} | none set | n/a |`,
    );
  }
  return lines.join('\n');
}

export function writeResults(results) {
  const file = path.join(RESULTS_DIR, 'latest.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

/** Replaces the table between the markers in docs/performance.md (the rest is left alone). */
export function writeDocsTable(table) {
  const text = readFileSync(DOCS, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`docs/performance.md has no ${START} … ${END} markers`);
  }
  writeFileSync(DOCS, `${text.slice(0, start + START.length)}\n${table}\n${text.slice(end)}`);
  return DOCS;
}

/** Where the time went; a webhook that carries the lead's fields has no lead read. */
function stages(ms) {
  const read =
    ms.sentToLeadRead.count === 0
      ? 'no lead reads: the webhook carried the fields'
      : `sent → lead read ${ms.sentToLeadRead.p50}, lead read → PATCH ${ms.leadReadToPatch.p50}`;
  return `p50 of stages: ${read}, provider call as served ${ms.providerCall.p50} ms`;
}
