// Node flags the API process runs with, wherever it is started (`pnpm start`, `pnpm bench`; the
// Docker files spell the same flag out). Why, with the measurements: docs/performance.md.
//
// --single-threaded-gc: V8 marks and sweeps the heap on helper threads by default. Where the API
// shares one or two cores with PostgreSQL, Redis and the worker, those threads took the CPU from
// the event loop for 70–130 ms at each marking cycle, every few seconds under load; single-threaded,
// the same work runs in short steps between requests.
//
// --max-old-space-size=192: at the ack's saturation the old space filled with garbage before V8
// collected it (heap snapshot: 46 MB live in a 240 MB heap; RSS 317 MB, 2.7 × bare Fastify's).
// V8 paces its collections by this limit: with it, 173 MB (1.43 ×) at the same or a higher rate
// (`pnpm bench:memory`, 2026-12-07, docs/scaling.md "Memory"). 192 MB is four times the live heap
// under load; a deployment whose live heap grows past about half of it (watch heapUsed) raises it
// here and in the Docker files.
export const API_NODE_FLAGS = ['--single-threaded-gc', '--max-old-space-size=192'];
