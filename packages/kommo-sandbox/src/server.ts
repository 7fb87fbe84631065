import Fastify, { type FastifyInstance } from 'fastify';
import { registerAiProviders } from './ai/register.js';
import { createContext, type SandboxContext, type SandboxOptions } from './context.js';
import { registerKommo } from './kommo/register.js';
import { registerMedia } from './media/register.js';
import { registerSalesbot } from './salesbot/register.js';
import { registerWidgetHost } from './widget-host/register.js';

export type Sandbox = { app: FastifyInstance; context: SandboxContext };

/** Builds the sandbox server without listening (tests call `listen` on port 0). */
export function buildSandbox(options: SandboxOptions = {}): Sandbox {
  const app = Fastify({ logger: options.logger ?? false });
  const context = createContext(options);
  app.get('/_sandbox/health', () => ({ status: 'ok' }));
  registerKommo(app, context);
  registerAiProviders(app, context);
  registerSalesbot(app, context);
  registerWidgetHost(app, context);
  registerMedia(app, context);
  app.addHook('onListen', function () {
    const address = this.server.address();
    if (address && typeof address === 'object' && !context.publicUrl.value) {
      context.publicUrl.value = `http://127.0.0.1:${address.port}`;
    }
  });
  return { app, context };
}
