// Run 1, the ack: our webhook endpoint (real token, real body, durable intake) against the bare
// Fastify baseline, rounds interleaved so both see the same machine state (docs/performance.md
// "Method": on a shared 2-core VM absolute req/s move ±50 % between rounds; only same-round
// ratios are meaningful).
import autocannon from 'autocannon';
import { bodyFactory } from './bodies.mjs';
import { openLoad } from './open-load.mjs';
import { assertAlive } from './processes.mjs';
import { median, round } from './stats.mjs';

// Lead ids never repeat within a bench run: a repeated body inside the dedupe window would be
// stored as a duplicate, which is cheaper than a new delivery.
let nextLeadId = 100_000_000;

/** Saturation load (autocannon, no pipelining); every request a new lead. */
export function cannon({ url, kind, seconds, connections }) {
  const body = bodyFactory(kind);
  const target = new URL(url);
  return autocannon({
    url: target.origin,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: target.pathname,
        headers: { 'content-type': body.contentType },
        setupRequest(request) {
          request.body = body.make((nextLeadId += 1));
          return request;
        },
      },
    ],
  });
}

export function figures(result) {
  return {
    rps: round(result.requests.average),
    total: result.requests.total,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
  };
}

/**
 * Capacity at saturation (`connections`, no pipelining) for each body kind, `rounds` rounds of
 * ours and the baseline in alternating order, each after a warm-up; then latency at a fixed
 * arrival rate (open model, see open-load.mjs). `settle` runs after
 * each warm-up of ours (it refreshes the table statistics, see run.mjs).
 */
export async function runAck({ config, oursUrl, baselineUrl, log, settle }) {
  const { ack } = config;
  const targets = { ours: oursUrl, baseline: baselineUrl };
  const bodies = {};
  let ours2xx = 0;
  const count = (name, result) => {
    if (name === 'ours') ours2xx += result['2xx'];
  };
  for (const kind of ack.bodies) {
    bodies[kind] = { bodyBytes: Buffer.byteLength(bodyFactory(kind).make(nextLeadId)), rounds: [] };
  }
  for (let index = 0; index < ack.rounds; index += 1) {
    for (const kind of ack.bodies) {
      const order = index % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours'];
      const row = { round: index + 1, order };
      for (const name of order) {
        const settings = { url: targets[name], kind, connections: ack.connections };
        if (ack.warmupSeconds > 0) {
          count(name, await cannon({ ...settings, seconds: ack.warmupSeconds }));
        }
        if (name === 'ours') await settle();
        const result = await cannon({ ...settings, seconds: ack.durationSeconds });
        count(name, result);
        assertAlive();
        row[name] = figures(result);
        log(`  run 1 ${kind} round ${index + 1}: ${name} ${row[name].rps} req/s`);
      }
      row.ratio = round(row.ours.rps / row.baseline.rps, 3);
      bodies[kind].rounds.push(row);
    }
  }
  for (const kind of ack.bodies) {
    const { rounds } = bodies[kind];
    const ratios = rounds.map((r) => r.ratio);
    Object.assign(bodies[kind], {
      oursRpsMedian: round(median(rounds.map((r) => r.ours.rps))),
      baselineRpsMedian: round(median(rounds.map((r) => r.baseline.rps))),
      ratioMedian: round(median(ratios), 3),
      ratioMin: round(Math.min(...ratios), 3),
      ratioMax: round(Math.max(...ratios), 3),
      oursNon2xx: rounds.reduce((n, r) => n + r.ours.non2xx + r.ours.errors, 0),
    });
  }
  for (const kind of ack.bodies) {
    bodies[kind].latency = {
      rate: ack.latencyRate,
      connections: ack.latencyConnections,
      seconds: ack.latencySeconds,
    };
    for (const name of ['ours', 'baseline']) {
      const body = bodyFactory(kind);
      const load = (seconds) =>
        openLoad({
          url: targets[name],
          rate: ack.latencyRate,
          seconds,
          connections: ack.latencyConnections,
          contentType: body.contentType,
          make: () => body.make((nextLeadId += 1)),
        });
      if (ack.warmupSeconds > 0) {
        const warm = await load(ack.warmupSeconds);
        if (name === 'ours') ours2xx += warm.ok2xx;
      }
      const result = await load(ack.latencySeconds);
      if (name === 'ours') ours2xx += result.ok2xx;
      assertAlive();
      bodies[kind].latency[name] = result;
      const { p50, p99, max } = result.latencyMs;
      log(`  run 1 ${kind} at ${ack.latencyRate}/s: ${name} p50 ${p50} p99 ${p99} max ${max} ms`);
    }
  }
  return { bodies, ours2xx };
}
