// The little a security probe needs: a named attack with an expected safe outcome (PASS/FAIL and
// one line why), HTTP by fetch and by raw TCP (for what fetch would normalise away: `..`, bad
// escapes, huge headers, slow bodies), HS-signed JWTs, a loopback trap that counts connections,
// and latency samples of the webhook path. Loopback only: nothing here talks to another address.
import { createHmac } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { sleep } from './processes.mjs';

/** Thrown by `expect`; its message is the probe's one-line reason. */
class ProbeFailure extends Error {}

export function expect(condition, reason) {
  if (!condition) throw new ProbeFailure(reason);
}

/** Runs probes one by one (or a few at once with `all`), printing PASS/FAIL with a reason. */
export function createRun(write = (line) => process.stdout.write(`${line}\n`)) {
  const results = [];
  const started = Date.now();
  let group = '';
  const record = (name, ok, reason) => {
    results.push({ group, name, ok, reason });
    write(`${ok ? 'PASS' : 'FAIL'}  ${group}/${name}: ${reason}`);
  };
  return {
    results,
    group(name) {
      group = name;
      write(`\n== ${name} (at ${Math.round((Date.now() - started) / 1000)} s)`);
    },
    /** `fn` returns the pass reason; a thrown error (ProbeFailure or not) is the fail reason. */
    async probe(name, fn) {
      try {
        record(name, true, String((await fn()) ?? 'ok'));
      } catch (error) {
        const reason = error instanceof ProbeFailure ? error.message : `error: ${error.message}`;
        record(name, false, reason);
      }
    },
    record,
  };
}

/** One request through fetch: status, lower-cased headers, text, elapsed ms. */
export async function call(url, { method = 'GET', headers = {}, body, redirect = 'manual' } = {}) {
  const started = performance.now();
  const response = await fetch(url, { method, headers, body, redirect });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    setCookies: response.headers.getSetCookie(),
    text,
    json: () => JSON.parse(text),
    ms: performance.now() - started,
  };
}

export const jsonBody = (value) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

/**
 * Raw HTTP/1.1 over TCP: `chunks` written `gapMs` apart; resolves with what the server sent,
 * its status, whether it closed, and the time to the close (or to `waitMs`).
 */
export function raw(baseUrl, chunks, { gapMs = 0, waitMs = 5_000 } = {}) {
  const { port, hostname } = new URL(baseUrl);
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(Number(port), hostname);
    let text = '';
    let done = false;
    let timer;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(giveUp);
      socket.destroy();
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const [head = '', ...rest] = text.split('\r\n\r\n');
      resolve({
        text,
        head: head.toLowerCase(),
        body: rest.join('\r\n\r\n'),
        status: match ? Number(match[1]) : null,
        closed,
        ms: performance.now() - started,
      });
    };
    const giveUp = setTimeout(() => finish(false), waitMs);
    socket.on('data', (data) => (text += data.toString('latin1')));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    let next = 0;
    const writeNext = () => {
      if (done || next >= chunks.length) return;
      socket.write(chunks[next]);
      next += 1;
      timer = setTimeout(writeNext, gapMs);
    };
    socket.on('connect', writeNext);
  });
}

/** One request in one write with `Connection: close`; `head` is the request line plus headers. */
export function rawRequest(baseUrl, head, body = '', options) {
  const lines = [head, `Host: ${new URL(baseUrl).host}`, 'Connection: close'];
  if (body !== '') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return raw(baseUrl, [`${lines.join('\r\n')}\r\n\r\n${body}`], options);
}

const b64u = (value) => Buffer.from(value).toString('base64url');

/** An HS256/HS512 JWT (or `alg: none` with an empty signature), header fields merged in. */
export function signJwt(payload, secret, { alg = 'HS256', header = {} } = {}) {
  const head = b64u(JSON.stringify({ alg, typ: 'JWT', ...header }));
  const body = b64u(JSON.stringify(payload));
  const hash = alg === 'HS512' ? 'sha512' : 'sha256';
  const signature =
    alg === 'none' ? '' : createHmac(hash, secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/**
 * A listener on a free loopback port that counts the connections it gets: an SSRF probe points
 * our API at it and then checks that nothing connected.
 */
export async function startTrap() {
  const server = net.createServer((socket) => {
    trap.connections += 1;
    socket.destroy();
  });
  const trap = { connections: 0, port: 0, close: () => new Promise((r) => server.close(r)) };
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  trap.port = server.address().port;
  return trap;
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const fmt = (ms) => `${Math.round(ms)} ms`;

/**
 * Latencies of the webhook path (a classic webhook to a real URL, one after another) while
 * `during` runs; with no `during`, `count` samples.
 */
export async function webhookLatencies(url, { count = 30, during } = {}) {
  const samples = [];
  const statuses = new Set();
  let stop = false;
  const send = async () => {
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'leads[status][0][id]=424242&account[id]=1',
    });
    await response.arrayBuffer();
    statuses.add(response.status);
    samples.push(performance.now() - started);
  };
  if (!during) {
    for (let i = 0; i < count; i += 1) await send();
  } else {
    const loop = (async () => {
      while (!stop) {
        await send();
        await sleep(20);
      }
    })();
    try {
      await during();
    } finally {
      stop = true;
      await loop;
    }
  }
  return {
    samples,
    statuses: [...statuses],
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    max: Math.max(...samples),
  };
}

/**
 * Sends `total` requests made by `make(i)` (a fetch promise factory) with `concurrency` in
 * flight; returns the count of each status (`429+Retry-After` when the header came).
 */
export async function flood(total, concurrency, make) {
  const counts = {};
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next;
      next += 1;
      let status;
      try {
        const response = await make(i);
        await response.arrayBuffer();
        status = `${response.status}${response.headers.has('retry-after') ? '+Retry-After' : ''}`;
      } catch {
        status = 'error';
      }
      counts[status] = (counts[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return counts;
}
