// Loaded with `node --import` into a process `pnpm bench:memory` measures (the API or the bare
// Fastify baseline): every 200 ms it appends the process's own memory figures to
// MEMORY_PROBE_FILE, so RSS can be split into V8's heap spaces, external memory and the rest
// (code, malloc, stacks) without changing the app.
import { appendFileSync } from 'node:fs';
import v8 from 'node:v8';

const file = process.env.MEMORY_PROBE_FILE;
if (file) {
  const mb = (n) => Math.round((n / 1048576) * 10) / 10;
  const timer = setInterval(() => {
    const usage = process.memoryUsage();
    const spaces = {};
    for (const space of v8.getHeapSpaceStatistics()) {
      spaces[space.space_name] = { size: mb(space.space_size), used: mb(space.space_used_size) };
    }
    const line = {
      t: Date.now(),
      rss: mb(usage.rss),
      heapTotal: mb(usage.heapTotal),
      heapUsed: mb(usage.heapUsed),
      external: mb(usage.external),
      arrayBuffers: mb(usage.arrayBuffers),
      spaces,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, 200);
  timer.unref();
}
