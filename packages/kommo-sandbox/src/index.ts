export { buildSandbox, type Sandbox } from './server.js';
export { SandboxClock } from './clock.js';
export { type SandboxContext, type SandboxOptions } from './context.js';
