// A constant-arrival-rate load (an open model, like k6's constant-arrival-rate or wrk2): request i
// is due at start + i / rate whether or not earlier ones have answered, and its latency counts
// from that due time, so a server that falls behind is charged for the wait (no coordinated
// omission). autocannon's `overallRate` is not this: each connection sends its per-second quota
// back to back at the start of every second (lib/httpClient.js), i.e. a saturating burst each
// second, and its correction then adds samples at 1 ms intervals; its p99 measured the bursts.
//
// It speaks HTTP/1.1 over plain sockets (see http-wire.mjs) rather than through node:http: on the
// load core it shares with PostgreSQL and Redis, node:http's client cost about 0.3 ms of CPU per
// request, and the generator's own delays are charged to the server it measures.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { requestBytes, ResponseReader } from './http-wire.mjs';
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
  const total = Math.round(rate * seconds);
  // Latency of request i, by index, so the series over time can be read back.
  const latencies = new Float64Array(total);
  const counts = { ok2xx: 0, non2xx: 0, errors: 0 };
  const interval = 1000 / rate;
  const start = performance.now() + 20;
  const dueAt = (i) => start + i * interval;
  let lastDone = start;

  const sockets = new Set();
  await new Promise((resolve) => {
    let next = 0;
    let done = 0;
    const backlog = [];
    const idle = [];
    let open = 0;
    const settle = (i, kind) => {
      const now = performance.now();
      latencies[i] = now - dueAt(i);
      counts[kind] += 1;
      lastDone = now;
      done += 1;
      if (done === total) resolve();
    };
    const send = (conn, i) => {
      conn.current = i;
      conn.socket.write(requestBytes({ target, contentType, body: make(i) }));
    };
    const release = (conn) => {
      conn.current = -1;
      if (backlog.length > 0) send(conn, backlog.shift());
      else idle.push(conn);
    };
    const connect = (i) => {
      open += 1;
      const socket = net.connect({
        host: target.hostname,
        port: Number(target.port),
        noDelay: true,
      });
      // `current` is set before the connection is up, so a failed connect settles its request.
      const conn = { socket, current: i };
      sockets.add(socket);
      const reader = new ResponseReader((status) => {
        settle(conn.current, status >= 200 && status < 300 ? 'ok2xx' : 'non2xx');
        release(conn);
      });
      socket.on('connect', () => send(conn, conn.current));
      socket.on('data', (chunk) => {
        try {
          reader.push(chunk);
        } catch {
          socket.destroy();
        }
      });
      // A broken connection loses its request (counted as an error) and is opened again on demand.
      socket.on('close', () => {
        open -= 1;
        sockets.delete(socket);
        const index = idle.indexOf(conn);
        if (index !== -1) idle.splice(index, 1);
        if (conn.current !== -1) settle(conn.current, 'errors');
        if (backlog.length > 0 && open < connections) connect(backlog.shift());
      });
      socket.on('error', () => {});
    };
    const fire = (i) => {
      if (idle.length > 0) send(idle.pop(), i);
      else if (open < connections) connect(i);
      else backlog.push(i);
    };
    const tick = () => {
      const now = performance.now();
      while (next < total && dueAt(next) <= now) fire((next += 1) - 1);
      if (next < total) setTimeout(tick, Math.max(0, dueAt(next) - performance.now()));
    };
    setTimeout(tick, 20);
  });
  for (const socket of sockets) socket.destroy();

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
