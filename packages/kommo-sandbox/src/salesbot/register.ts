import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../context.js';
import { installKommoApiPlumbing } from '../kommo/index.js';
import { registerBotsRoutes } from './bots-routes.js';
import { registerChatPage } from './chat-page.js';
import { registerControlRoutes } from './control-routes.js';
import { DEFAULT_SETTINGS } from './ports.js';
import { createSalesbot } from './salesbot.js';
import { registerTeamRoutes } from './team-routes.js';

/** Registers the salesbot engine, Kommo's bots API, the salesbot control API and the chat page. */
export function registerSalesbot(app: FastifyInstance, context: SandboxContext): void {
  const salesbot = createSalesbot(context);
  // Encapsulated: Kommo-shaped body parsing and errors for the API routes only.
  void app.register((api, _options, done) => {
    installKommoApiPlumbing(api);
    registerBotsRoutes(api, context, salesbot);
    done();
  });
  registerControlRoutes(app, context, salesbot);
  registerTeamRoutes(app, context, salesbot);
  registerChatPage(app);
  context.resetHooks.add(() => {
    salesbot.engine.stopAll('sandbox reset');
    salesbot.chats.clear();
    salesbot.bots.clear();
    Object.assign(salesbot.settings, DEFAULT_SETTINGS);
  });
}
