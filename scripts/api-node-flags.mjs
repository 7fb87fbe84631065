// Node flags the API process runs with, wherever it is started (`pnpm start`, `pnpm bench`; the
// Docker files spell the same flag out). Why, with the measurements: docs/performance.md.
//
// --single-threaded-gc: V8 marks and sweeps the heap on helper threads by default. Where the API
// shares one or two cores with PostgreSQL, Redis and the worker, those threads took the CPU from
// the event loop for 70–130 ms at each marking cycle, every few seconds under load; single-threaded,
// the same work runs in short steps between requests.
export const API_NODE_FLAGS = ['--single-threaded-gc'];
