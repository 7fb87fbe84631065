import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { type SandboxContext } from '../context.js';
import { contentTypeOf, hostAsset } from './host-assets.js';
import { findUser, type HostDirectory } from './host-directory.js';
import {
  HOST_LOCATIONS,
  type HostCard,
  offersLocation,
  renderHostPage,
  renderProblemPage,
  type HostLocation,
} from './host-page.js';
import { type WidgetRegistry } from './widget-registry.js';

type HostQuery = {
  account?: string;
  location?: string;
  widget?: string;
  user?: string;
  lang?: string;
  lead?: string;
};

/** The sandbox origin as the browser sees it (links and `path` must work from the page). */
export function originOf(request: FastifyRequest, context: SandboxContext): string {
  return request.host ? `${request.protocol}://${request.host}` : context.publicUrl.value;
}

export function registerPageRoutes(
  app: FastifyInstance,
  context: SandboxContext,
  registry: WidgetRegistry,
  directory: HostDirectory,
): void {
  // The uploaded files; Kommo serves them from its CDN, readable from any origin.
  app.get<{ Params: { code: string; '*': string } }>(
    '/_sandbox/widgets/:code/*',
    (request, reply) => {
      const widget = registry.get(request.params.code);
      const file = widget?.files.get(request.params['*']);
      if (!file) {
        return reply.code(404).send({ error: 'not_found', message: 'no such widget file' });
      }
      return reply
        .header('content-type', contentTypeOf(request.params['*']))
        .header('cache-control', 'no-store')
        .header('access-control-allow-origin', '*')
        .send(Buffer.from(file.buffer, file.byteOffset, file.byteLength));
    },
  );

  app.get<{ Params: { name: string } }>('/_sandbox/widget-host/assets/:name', (request, reply) => {
    const asset = hostAsset(request.params.name);
    if (!asset) return reply.code(404).send({ error: 'not_found', message: 'no such host asset' });
    return reply
      .header('content-type', asset.type)
      .header('cache-control', 'no-cache')
      .send(asset.body);
  });

  app.get<{ Querystring: HostQuery }>('/_sandbox/widget-host', (request, reply) => {
    const problem = (status: number, title: string, lines: string[]) =>
      reply.code(status).type('text/html; charset=utf-8').send(renderProblemPage(title, lines));
    const query = request.query;

    const widget = registry.get(query.widget);
    if (!widget) {
      return problem(404, query.widget ? `No widget "${query.widget}"` : 'No widget loaded', [
        'Upload one: POST /_sandbox/widgets with the zip (Content-Type: application/zip) or {"path": "…/widget.zip"}.',
        'Or start the sandbox with SANDBOX_WIDGET_ZIP=path/to/widget.zip.',
      ]);
    }
    const integration = directory.integration();
    if (!integration) {
      return problem(409, 'No integration configured', [
        'The X-Auth-Token is signed with the integration secret: set the integration through the control API first.',
      ]);
    }
    const accounts = directory.accounts();
    const account = query.account ? directory.findAccount(query.account) : accounts[0];
    if (!account) {
      return problem(404, query.account ? `No account "${query.account}"` : 'No account', [
        'Create an account through the control API, then open ?account={subdomain}.',
        ...accounts.map((a) => `Known: ${a.subdomain} (#${a.id})`),
      ]);
    }
    const user = findUser(account, query.user ? Number(query.user) : undefined);
    if (!user) return problem(404, `No user "${query.user ?? ''}" in ${account.subdomain}`, []);

    const location = (query.location ?? 'settings') as HostLocation;
    if (!HOST_LOCATIONS.includes(location)) {
      return problem(400, `Unsupported location "${query.location ?? ''}"`, [
        `The host offers: ${HOST_LOCATIONS.join(', ')}.`,
      ]);
    }
    // Kommo only calls a location's callbacks when the manifest declares it; the settings modal
    // exists for every widget (it is where the widget gets installed).
    if (location !== 'settings' && !offersLocation(widget.manifest.locations, location)) {
      return problem(400, `The widget's manifest does not list location "${location}"`, [
        `Its locations: ${widget.manifest.locations.join(', ')}.`,
      ]);
    }

    let card: HostCard | undefined;
    if (location === 'lcard') {
      // `lead=0` opens a card being created (id 0, §9.5); no `lead` opens the account's first one.
      const leadId = query.lead === undefined ? undefined : Number(query.lead);
      card =
        leadId === 0
          ? {
              id: 0,
              name: '',
              price: 0,
              status_id: null,
              pipeline_id: null,
              responsible_user_id: user.id,
            }
          : leadId === undefined
            ? directory.firstLead(account.id)
            : directory.lead(account.id, leadId);
      if (!card) {
        return problem(
          404,
          query.lead ? `No lead "${query.lead}" in ${account.subdomain}` : 'No lead',
          [
            'Create one through the control API (POST /_sandbox/accounts/{account}/leads), then open ?location=lcard&lead={id}.',
          ],
        );
      }
    }

    const html = renderHostPage({
      origin: originOf(request, context),
      widget,
      account,
      user,
      integration,
      location,
      lang: query.lang,
      settings: registry.getSettings(account.id, widget.code),
      ...(card ? { card } : {}),
    });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });
}
