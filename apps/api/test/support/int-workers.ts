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
  // Times 300 calls against the budget and counts the sandbox's requests; beside another file a
  // loaded machine once logged 301 (cause not found; alone it logs 300).
  'test/integration/kommo-budget.int-spec.ts',
  // Counts Kommo's 429s across two worker processes sharing the budget; beside another file a
  // loaded run once saw one 429 (alone it passes; open question in the stop-29 note).
  'test/integration/token-refresh.int-spec.ts',
];
