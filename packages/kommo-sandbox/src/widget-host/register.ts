import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../context.js';
import { registerControlRoutes } from './control-routes.js';
import { directoryFrom } from './host-directory.js';
import { registerPageRoutes } from './page-routes.js';
import { WidgetRegistry } from './widget-registry.js';

/** Registers the widget host page (loads widget.zip like Kommo). See README.md here. */
export function registerWidgetHost(app: FastifyInstance, context: SandboxContext): void {
  const registry = new WidgetRegistry(() => context.clock.now());
  const directory = directoryFrom(context);
  context.resetHooks.add(() => registry.resetAccountState());

  // The dev flow points this at apps/widget/dist/widget.zip; a broken zip stops the start loudly.
  const preload = process.env.SANDBOX_WIDGET_ZIP;
  if (preload) {
    const result = registry.loadFile(preload);
    if (!result.ok) {
      throw new Error(
        `SANDBOX_WIDGET_ZIP=${preload} was rejected:\n  ${result.errors.join('\n  ')}`,
      );
    }
  }

  // An encapsulated scope, so the zip body parser stays local to these routes.
  void app.register((scope, _options, done) => {
    registerControlRoutes(scope, context, registry, directory);
    registerPageRoutes(scope, context, registry, directory);
    done();
  });
}
