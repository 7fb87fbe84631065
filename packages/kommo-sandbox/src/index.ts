export { buildSandbox, type Sandbox } from './server.js';
export { SandboxClock } from './clock.js';
export { type SandboxContext, type SandboxOptions } from './context.js';
// Control-API shapes, for clients that drive the sandbox from another process (our API's tests).
export type { FaultSpec, Integration, RequestCounters, RequestLogEntry } from './kommo/index.js';
