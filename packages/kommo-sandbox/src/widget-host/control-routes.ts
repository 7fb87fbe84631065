import { type FastifyInstance, type FastifyReply } from 'fastify';
import { type SandboxContext } from '../context.js';
import { findUser, type HostDirectory } from './host-directory.js';
import { widgetFilesPath } from './host-page.js';
import { originOf } from './page-routes.js';
import { lookupI18n } from './widget-manifest.js';
import { type HostedWidget, type LoadResult, type WidgetRegistry } from './widget-registry.js';
import {
  mintWidgetToken,
  parseTokenShape,
  TOKEN_TTL_SEC,
  TOKEN_VARIANTS,
  verifyWidgetToken,
  type TokenVariant,
} from './widget-token.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const badRequest = (reply: FastifyReply, message: string, extra: Json = {}) =>
  reply.code(400).send({ error: 'bad_request', message, ...extra });

const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/octet-stream'];
const MAX_ZIP_BYTES = 50 * 1024 * 1024;

export function summarize(widget: HostedWidget, origin: string): Json {
  const location = widget.manifest.locations.find((l) => l === 'salesbot_designer') ?? 'settings';
  const { name, locale } = widget.manifest.widget;
  const title = lookupI18n(widget.i18n.en ?? widget.i18n[locale[0] ?? ''], name);
  return {
    code: widget.code,
    name,
    title: typeof title === 'string' ? title : name,
    version: widget.manifest.widget.version,
    locations: widget.manifest.locations,
    locales: widget.manifest.widget.locale,
    path: `${origin}${widgetFilesPath(widget.code)}`,
    files: [...widget.files.keys()].sort(),
    warnings: widget.warnings,
    reload_errors: widget.reloadErrors,
    source: widget.source,
    loaded_at: widget.loadedAt,
    host_page: `${origin}/_sandbox/widget-host?widget=${widget.code}&location=${location}`,
  };
}

export function registerControlRoutes(
  app: FastifyInstance,
  context: SandboxContext,
  registry: WidgetRegistry,
  directory: HostDirectory,
): void {
  const now = () => context.clock.now();

  // widget.zip bodies arrive raw; only this plugin's scope gets the parser.
  app.addContentTypeParser(
    ZIP_TYPES,
    { parseAs: 'buffer', bodyLimit: MAX_ZIP_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.post<{ Querystring: { code?: string } }>('/_sandbox/widgets', (request, reply) => {
    const body: unknown = request.body;
    const fromPath = isObject(body) && typeof body.path === 'string' ? body.path : undefined;
    const fromDir = isObject(body) && typeof body.dir === 'string' ? body.dir : undefined;
    if (!Buffer.isBuffer(body) && fromPath === undefined && fromDir === undefined) {
      return badRequest(
        reply,
        'send the widget.zip (Content-Type: application/zip), JSON {"path": "…/widget.zip"} or {"dir": "…/unpacked-widget"}',
      );
    }
    const code =
      (isObject(body) && typeof body.code === 'string' ? body.code : request.query.code) ||
      undefined;
    if (code !== undefined && !/^\w+$/.test(code)) {
      return badRequest(reply, 'code must contain only letters, digits and "_"');
    }
    const result: LoadResult =
      fromPath !== undefined
        ? registry.loadFile(fromPath, code)
        : fromDir !== undefined
          ? registry.loadDir(fromDir, code)
          : registry.load(body as Buffer, { code });
    if (!result.ok) {
      return reply.code(400).send({
        error: 'invalid_widget_archive',
        message: 'the widget archive was rejected',
        errors: result.errors,
        warnings: result.warnings,
      });
    }
    return reply.code(201).send(summarize(result.widget, originOf(request, context)));
  });

  app.get('/_sandbox/widgets', (request) => ({
    widgets: registry.list().map((widget) => summarize(widget, originOf(request, context))),
  }));

  app.get<{ Params: { code: string } }>('/_sandbox/widgets/:code', (request, reply) => {
    const widget = registry.get(request.params.code);
    if (!widget) return reply.code(404).send({ error: 'not_found', message: 'no such widget' });
    return reply.send(summarize(widget, originOf(request, context)));
  });

  app.delete<{ Params: { code: string } }>('/_sandbox/widgets/:code', (request, reply) =>
    registry.remove(request.params.code)
      ? reply.code(204).send()
      : reply.code(404).send({ error: 'not_found', message: 'no such widget' }),
  );

  app.post('/_sandbox/widget-token', async (request, reply) => {
    const body: unknown = request.body ?? {};
    if (!isObject(body)) return badRequest(reply, 'expected a JSON object');
    const variant = (body.variant ?? 'valid') as TokenVariant;
    if (!TOKEN_VARIANTS.includes(variant)) {
      return badRequest(reply, `variant must be one of ${TOKEN_VARIANTS.join(', ')}`);
    }
    if (body.overrides !== undefined && !isObject(body.overrides)) {
      return badRequest(reply, 'overrides must be an object of claims');
    }
    const shape = parseTokenShape(body.shape, registry.tokenShape);
    if (typeof shape === 'string') return badRequest(reply, shape);
    const ref = body.account_id ?? body.subdomain;
    if (typeof ref !== 'number' && typeof ref !== 'string') {
      return badRequest(reply, 'account_id (or subdomain) is required');
    }
    const integration = directory.integration();
    if (!integration) {
      return reply
        .code(409)
        .send({ error: 'no_integration', message: 'set the integration first' });
    }
    const account = directory.findAccount(ref);
    if (!account) return reply.code(404).send({ error: 'not_found', message: `no account ${ref}` });
    const userId = typeof body.user_id === 'number' ? body.user_id : undefined;
    const user = findUser(account, userId);
    if (!user) {
      return reply
        .code(404)
        .send({ error: 'not_found', message: `no user ${userId} in account ${account.id}` });
    }

    const other = directory.accounts().find((a) => a.id !== account.id);
    const minted = await mintWidgetToken(
      { account, user, integration, otherAccountId: other?.id ?? account.id + 1_000_000 },
      now(),
      variant,
      body.overrides,
      shape,
    );
    return { ...minted, variant, shape, ttl_sec: TOKEN_TTL_SEC };
  });

  // The default shape for every token, including the host page's $authorizedAjax ones.
  app.get('/_sandbox/widget-host/token-shape', () => registry.tokenShape);
  app.put('/_sandbox/widget-host/token-shape', (request, reply) => {
    const shape = parseTokenShape(request.body ?? {}, registry.tokenShape);
    if (typeof shape === 'string') return badRequest(reply, shape);
    registry.tokenShape = shape;
    return reply.send(shape);
  });

  app.post('/_sandbox/widget-token/verify', async (request, reply) => {
    const body: unknown = request.body;
    if (!isObject(body) || typeof body.token !== 'string') {
      return badRequest(reply, 'token is required');
    }
    const integration = directory.integration();
    if (!integration) {
      return reply
        .code(409)
        .send({ error: 'no_integration', message: 'set the integration first' });
    }
    return verifyWidgetToken(body.token, integration, now());
  });

  // Lets a page (or test) check what $authorizedAjax really sent.
  app.all('/_sandbox/widget-host/echo', async (request) => {
    const header = request.headers['x-auth-token'];
    const token = typeof header === 'string' ? header : undefined;
    const integration = directory.integration();
    const record: Json = {
      method: request.method,
      url: request.url,
      headers: {
        'x-auth-token': token ?? null,
        origin: request.headers.origin ?? null,
        'content-type': request.headers['content-type'] ?? null,
      },
      body: request.body ?? null,
      token: token && integration ? await verifyWidgetToken(token, integration, now()) : null,
      at: now(),
    };
    registry.addEcho(record);
    return record;
  });
  app.get('/_sandbox/widget-host/echoes', () => ({ requests: registry.echoes }));
  app.delete('/_sandbox/widget-host/echoes', (_request, reply) => {
    registry.echoes.length = 0;
    return reply.code(204).send();
  });

  app.get<{ Querystring: { account_id?: string; widget_code?: string } }>(
    '/_sandbox/widget-host/settings',
    (request, reply) => {
      const accountId = Number(request.query.account_id);
      const code = request.query.widget_code;
      if (!Number.isInteger(accountId) || !code) {
        return badRequest(reply, 'account_id and widget_code are required');
      }
      return reply.send(registry.getSettings(accountId, code));
    },
  );

  app.put('/_sandbox/widget-host/settings', (request, reply) => {
    const body: unknown = request.body;
    if (
      !isObject(body) ||
      typeof body.account_id !== 'number' ||
      typeof body.widget_code !== 'string'
    ) {
      return badRequest(reply, 'account_id (number) and widget_code are required');
    }
    if (body.values !== undefined && !isObject(body.values)) {
      return badRequest(reply, 'values must be an object');
    }
    if (body.active !== undefined && typeof body.active !== 'boolean') {
      return badRequest(reply, 'active must be a boolean');
    }
    return reply.send(
      registry.saveSettings(body.account_id, body.widget_code, {
        values: body.values,
        active: body.active,
      }),
    );
  });

  app.post('/_sandbox/widget-host/salesbot-blocks', (request, reply) => {
    const body: unknown = request.body;
    if (
      !isObject(body) ||
      typeof body.account_id !== 'number' ||
      typeof body.widget_code !== 'string' ||
      typeof body.handler_code !== 'string' ||
      typeof body.source !== 'string'
    ) {
      return badRequest(
        reply,
        'account_id, widget_code, handler_code and source (the JSON string) are required',
      );
    }
    const block = registry.addBlock({
      account_id: body.account_id,
      widget_code: body.widget_code,
      handler_code: body.handler_code,
      params: isObject(body.params) ? body.params : {},
      source: body.source,
    });
    return reply.code(201).send(block);
  });

  app.get<{ Querystring: { account_id?: string } }>(
    '/_sandbox/widget-host/salesbot-blocks',
    (request) => ({
      blocks: registry.listBlocks(
        request.query.account_id ? Number(request.query.account_id) : undefined,
      ),
    }),
  );

  app.delete('/_sandbox/widget-host/salesbot-blocks', (_request, reply) => {
    registry.clearBlocks();
    return reply.code(204).send();
  });
}
