// A constant-arrival-rate load (an open model, like k6's constant-arrival-rate or wrk2): request i
// is due at start + i / rate whether or not earlier ones have answered, and its latency counts
// from that due time, so a server that falls behind is charged for the wait (no coordinated
// omission). autocannon's `overallRate` is not this: each connection sends its per-second quota
// back to back at the start of every second (lib/httpClient.js), i.e. a saturating burst each
// second, and its correction then adds samples at 1 ms intervals; its p99 measured the bursts.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { round } from './stats.mjs';

const percentile = (sorted, p) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

/**
 * POSTs `rate` requests per second for `seconds` over at most `connections` keep-alive sockets
 * (a request waits client-side when all are busy, and that wait is part of its latency).
 * `make(i)` gives the i-th body. Returns autocannon-like figures.
 */
export async function openLoad({ url, rate, seconds, connections, contentType, make }) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const total = Math.round(rate * seconds);
  // Latency of request i, by index, so the series over time can be read back.
  const latencies = new Float64Array(total);
  const counts = { ok2xx: 0, non2xx: 0, errors: 0 };
  const interval = 1000 / rate;
  const start = performance.now() + 20;
  const dueAt = (i) => start + i * interval;
  let lastDone = start;

  await new Promise((resolve) => {
    let next = 0;
    let done = 0;
    const settle = (i, kind) => {
      const now = performance.now();
      latencies[i] = now - dueAt(i);
      counts[kind] += 1;
      lastDone = now;
      done += 1;
      if (done === total) resolve();
    };
    const fire = (i) => {
      const body = make(i);
      const request = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on('end', () =>
            settle(i, response.statusCode >= 200 && response.statusCode < 300 ? 'ok2xx' : 'non2xx'),
          );
        },
      );
      request.on('error', () => settle(i, 'errors'));
      request.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (next < total && dueAt(next) <= now) fire((next += 1) - 1);
      if (next < total) setTimeout(tick, Math.max(0, dueAt(next) - performance.now()));
    };
    setTimeout(tick, 20);
  });
  agent.destroy();

  const sorted = Float64Array.from(latencies).sort();
  // The slowest request of each second (by due time): a stall shows as one or two high seconds,
  // queueing throughout as a raised line.
  const perSecondMax = [];
  for (let i = 0; i < total; i += 1) {
    const second = Math.floor((i * interval) / 1000);
    perSecondMax[second] = Math.max(perSecondMax[second] ?? 0, round(latencies[i], 1));
  }
  return {
    // Completed per second over the whole load: below the rate means the server fell behind.
    rps: round(total / ((lastDone - start) / 1000)),
    total,
    ...counts,
    timeouts: 0,
    latencyMs: {
      p50: round(percentile(sorted, 0.5), 1),
      p90: round(percentile(sorted, 0.9), 1),
      p99: round(percentile(sorted, 0.99), 1),
      max: round(sorted.at(-1) ?? 0, 1),
    },
    perSecondMax,
    startedAt: Math.round(performance.timeOrigin + start),
  };
}
