// `pnpm bench:memory` (issue 24, docs/scaling.md "Memory"): the API's and the bare Fastify
// baseline's memory at saturation in the same run, split by a probe loaded into each process
// (bench/lib/memory-probe.mjs: RSS, V8's heap spaces, external), and a heap snapshot of the API
// taken in the middle of a saturation load, summarized by constructor. Writes
// bench/results/memory.json; the table goes to stdout.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { API_NODE_FLAGS } from '../scripts/api-node-flags.mjs';
import { loadBenchConfig } from './lib/config.mjs';
import { pinServices } from './lib/pin-services.mjs';
import {
  freePort,
  pinning,
  pinSelf,
  runBench,
  sleep,
  startNode,
  stopAll,
  stopProcess,
  waitForLog,
} from './lib/processes.mjs';
import { cannon } from './lib/run-ack.mjs';
import {
  appEnv,
  checkBuilt,
  configureIntegration,
  installAccounts,
  LOG_DIR,
  resetStores,
  RESULTS_DIR,
  ROOT,
  startApi,
  startSandbox,
  startWorker,
} from './lib/stack.mjs';

const log = (line) => process.stderr.write(`${line}\n`);
const PROBE = path.join(ROOT, 'bench/lib/memory-probe.mjs');
const HEAP_DIR = path.join(RESULTS_DIR, 'heap');

function probeFile(label) {
  return path.join(RESULTS_DIR, `memory-${label}.jsonl`);
}

/** The probe's samples of one process, and the one with the highest RSS. */
function peakOf(file) {
  const samples = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const peak = samples.reduce((a, b) => (b.rss > a.rss ? b : a), samples[0]);
  return { samples: samples.length, peak };
}

/**
 * A V8 heap snapshot summarized: self size by node type and, for objects, by constructor name
 * (the top `top`), in MB. The snapshot is live objects only (V8 collects before writing it).
 */
function summarizeSnapshot(file, top = 20) {
  const snapshot = JSON.parse(readFileSync(file, 'utf8'));
  const meta = snapshot.snapshot.meta;
  const width = meta.node_fields.length;
  const typeIndex = meta.node_fields.indexOf('type');
  const nameIndex = meta.node_fields.indexOf('name');
  const sizeIndex = meta.node_fields.indexOf('self_size');
  const types = meta.node_types[typeIndex];
  const { nodes, strings } = snapshot;
  const byType = {};
  const byName = {};
  let total = 0;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeIndex]];
    const size = nodes[i + sizeIndex];
    total += size;
    byType[type] = (byType[type] ?? 0) + size;
    const name =
      type === 'object' || type === 'closure' ? strings[nodes[i + nameIndex]] : `(${type})`;
    const entry = (byName[name] ??= { size: 0, count: 0 });
    entry.size += size;
    entry.count += 1;
  }
  const mb = (n) => Math.round((n / 1048576) * 10) / 10;
  return {
    totalMb: mb(total),
    byTypeMb: Object.fromEntries(
      Object.entries(byType)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, mb(v)]),
    ),
    topConstructors: Object.entries(byName)
      .sort((a, b) => b[1].size - a[1].size)
      .slice(0, top)
      .map(([name, v]) => ({ name, mb: mb(v.size), count: v.count })),
  };
}

async function saturate(url, seconds, connections) {
  const result = await cannon({ url, kind: 'form', seconds, connections });
  return { rps: Math.round(result.requests.average), non2xx: result.non2xx };
}

async function main() {
  const bench = loadBenchConfig();
  checkBuilt();
  pinSelf();
  const services = pinServices(bench.pinServices);
  const seconds = Number(process.env.MEMORY_SECONDS || (bench.quick ? 5 : 30));
  const connections = bench.ack.connections;
  rmSync(HEAP_DIR, { recursive: true, force: true });
  mkdirSync(HEAP_DIR, { recursive: true });
  for (const label of ['api', 'baseline']) rmSync(probeFile(label), { force: true });

  await resetStores(bench);
  const sandbox = await startSandbox();
  const env = appEnv(bench, sandbox, await freePort());
  await configureIntegration(sandbox, env.PUBLIC_URL);
  // MEMORY_API_FLAGS replaces the production flags, to compare GC settings (docs/scaling.md).
  const baseFlags =
    process.env.MEMORY_API_FLAGS === undefined
      ? API_NODE_FLAGS
      : process.env.MEMORY_API_FLAGS.split(' ').filter(Boolean);
  const apiFlags = [
    ...baseFlags,
    '--import',
    pathToFileURL(PROBE).href,
    '--heapsnapshot-signal=SIGUSR2',
    `--diagnostic-dir=${HEAP_DIR}`,
  ];
  const api = await startApi({ ...env, MEMORY_PROBE_FILE: probeFile('api') }, 'memory', {
    nodeFlags: apiFlags,
  });
  const worker = await startWorker(env, 'memory-setup');
  const [account] = await installAccounts(bench, sandbox, env.PUBLIC_URL, 1, 'mem');
  // As in run 1: the worker would compete for the server core with jobs for leads that do not exist.
  await stopProcess(worker);
  const baselinePort = await freePort();
  const baseline = startNode('baseline', path.join(ROOT, 'bench/baseline-server.mjs'), {
    cwd: path.join(ROOT, 'bench'),
    env: {
      PATH: process.env.PATH,
      BASELINE_PORT: String(baselinePort),
      MEMORY_PROBE_FILE: probeFile('baseline'),
    },
    nodeFlags: ['--import', pathToFileURL(PROBE).href],
    logFile: path.join(LOG_DIR, 'baseline-memory.log'),
    core: pinning.serverCore,
  });
  await waitForLog(baseline, 'listening on');
  const ackPath = new URL(account.handlerUrl).pathname;

  log(`memory: saturating the API (${seconds} s, ${connections} connections)`);
  const oursLoad = await saturate(account.handlerUrl, seconds, connections);
  log(`memory: saturating bare Fastify (${seconds} s)`);
  const baselineLoad = await saturate(
    `http://127.0.0.1:${baselinePort}${ackPath}`,
    seconds,
    connections,
  );
  const ours = peakOf(probeFile('api'));
  const bare = peakOf(probeFile('baseline'));
  await stopProcess(baseline);

  log('memory: a heap snapshot of the API in the middle of a saturation load');
  const load = saturate(account.handlerUrl, Math.max(6, seconds), connections);
  await sleep(Math.max(3, seconds / 2) * 1000);
  api.child.kill('SIGUSR2');
  await load;
  // The snapshot is written synchronously by the API; wait until the file is complete.
  let snapshotFile = null;
  for (let i = 0; i < 120 && !snapshotFile; i += 1) {
    await sleep(500);
    const done = readdirSync(HEAP_DIR).find((f) => f.endsWith('.heapsnapshot'));
    if (done) {
      const text = readFileSync(path.join(HEAP_DIR, done), 'utf8');
      if (text.trimEnd().endsWith('}')) snapshotFile = path.join(HEAP_DIR, done);
    }
  }
  const snapshot = snapshotFile ? summarizeSnapshot(snapshotFile) : null;
  await stopProcess(api);

  await stopAll();
  services.restore();

  const results = {
    date: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      loadBefore: os.loadavg().map((n) => Math.round(n * 100) / 100),
    },
    seconds,
    connections,
    apiFlags: baseFlags,
    load: { api: oursLoad, baseline: baselineLoad },
    api: ours,
    baseline: bare,
    ratio: Math.round((ours.peak.rss / bare.peak.rss) * 100) / 100,
    snapshot,
  };
  const file = path.join(RESULTS_DIR, 'memory.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  const split = (p) =>
    `RSS ${p.rss} MB = V8 heap ${p.heapTotal} MB (used ${p.heapUsed}; new space ${p.spaces.new_space?.size ?? 'n/a'}, ` +
    `old space ${p.spaces.old_space?.size ?? 'n/a'}, code ${p.spaces.code_space?.size ?? 'n/a'}) + external ${p.external} MB ` +
    `+ the rest ${Math.round((p.rss - p.heapTotal - p.external) * 10) / 10} MB (code, malloc, stacks)`;
  const lines = [
    `**bench:memory**, ${results.date}: ${seconds} s at saturation (${connections} connections), form body; API flags \`${baseFlags.join(' ') || 'none'}\`; load average before ${results.machine.loadBefore.join(' / ')}.`,
    '',
    '| process | at its peak RSS | load |',
    '|---|---|---|',
    `| API | ${split(ours.peak)} | ${oursLoad.rps} req/s |`,
    `| bare Fastify | ${split(bare.peak)} | ${baselineLoad.rps} req/s |`,
    `| ratio | API ÷ bare Fastify peak RSS: ${results.ratio} (goal ≤ 2) | |`,
  ];
  if (snapshot) {
    lines.push(
      '',
      `Heap snapshot of the API under load: ${snapshot.totalMb} MB live. By type: ${Object.entries(
        snapshot.byTypeMb,
      )
        .slice(0, 8)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} MB. Top constructors: ${snapshot.topConstructors
        .slice(0, 12)
        .map((c) => `${c.name} ${c.mb} MB (${c.count})`)
        .join(', ')}.`,
    );
  }
  log(`memory: wrote ${path.relative(ROOT, file)}`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

runBench('memory', main, { exitWhenDone: true });
