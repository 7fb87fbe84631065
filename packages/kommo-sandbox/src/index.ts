export { buildSandbox, type Sandbox } from './server.js';
export { SandboxClock } from './clock.js';
export { type SandboxContext, type SandboxOptions } from './context.js';
// Control-API shapes, for clients that drive the sandbox from another process (our API's tests).
export type { FaultSpec, Integration, RequestCounters, RequestLogEntry } from './kommo/index.js';
// The salesbot engine's strict mode, so our API's tests can check the bot JSON it ships.
export { parseBotScript } from './salesbot/bot-schema.js';
export { describeProblem, type StrictProblem, strictProblems } from './salesbot/strict.js';
