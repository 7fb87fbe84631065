/** How many integration test files run at a time, each worker with stores of its own (test-env.ts). */
export const INT_WORKERS = 2;

/**
 * Files whose assertions count timer ticks or compare latencies against a baseline: another file
 * running beside them on a 2-core machine moves those numbers, so they run alone, after the rest.
 */
export const SERIAL_INT_FILES = [
  'test/integration/ai-sweeper.int-spec.ts',
  'test/integration/admin-sign-in-flood.int-spec.ts',
  'test/integration/retention-size.int-spec.ts',
  // Counts grants per sliding second; under load a late timer once made 7 of 6.
  'test/integration/kommo-rate-limit.int-spec.ts',
  // kommo-budget and token-refresh run in parallel again: their 429 and 301 flakes were one
  // loaded-machine effect (a process stalled between its slot and the socket), and they now
  // assert the budget on the limiter's own record in Redis (test/support/kommo-ledger.ts).
];
