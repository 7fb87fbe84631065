/** How many integration test files run at a time, each worker with stores of its own (test-env.ts). */
export const INT_WORKERS = 2;
