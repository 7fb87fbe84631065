import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../../context.js';
import { registerAccountRoute } from '../api-guard.js';
import { requestBaseUrl } from '../addressing.js';
import { sendEmpty, sendHal, sendProblem } from '../problems.js';
import { kommoRequest } from '../request-state.js';
import { type KommoAccount, type KommoUser } from '../types.js';
import { idParam } from './body.js';
import { pageEnvelope, parsePaging, parseQuery } from './paging.js';

// Kommo's entity rights: A = all, G = the user's group, M = own only, D = denied.
const entityRights = (admin: boolean) =>
  admin
    ? { view: 'A', edit: 'A', add: 'A', delete: 'A', export: 'A' }
    : { view: 'A', edit: 'M', add: 'A', delete: 'M', export: 'D' };

/** A user as `GET /api/v4/users/{id}` shows it (developers.kommo.com/reference/users-list). */
function renderUser(
  account: KommoAccount,
  user: KommoUser,
  baseUrl: string,
): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    lang: account.language,
    rights: {
      leads: entityRights(user.is_admin),
      contacts: entityRights(user.is_admin),
      companies: entityRights(user.is_admin),
      tasks: user.is_admin ? { edit: 'A', delete: 'A' } : { edit: 'M', delete: 'M' },
      mail_access: true,
      catalog_access: user.is_admin,
      status_rights: [],
      is_admin: user.is_admin,
      is_free: false,
      is_active: true,
      group_id: null,
      role_id: null,
    },
    _links: { self: { href: `${baseUrl}/api/v4/users/${user.id}` } },
  };
}

/**
 * `GET /api/v4/account` (+ `with=…`; any user), `GET /api/v4/users` and `GET /api/v4/users/{id}`
 * ("available for administrator users only": a non-admin's token gets 403).
 */
export function registerAccountRoutes(app: FastifyInstance, context: SandboxContext): void {
  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/account',
    handler: async (request, reply) => {
      const { account, user } = kommoRequest(request);
      const query = parseQuery(request);
      const withs = new Set(typeof query.with === 'string' ? query.with.split(',') : []);
      const baseUrl = requestBaseUrl(request);
      const embedded: Record<string, unknown> = {};
      if (withs.has('datetime_settings')) {
        embedded.datetime_settings = {
          date_pattern: 'd.m.Y H:i',
          short_date_pattern: 'd.m.Y',
          short_time_pattern: 'H:i',
          date_format: 'd.m.Y',
          time_format: 'H:i:s',
          timezone: account.timezone,
          timezone_offset: '+00:00',
        };
      }
      if (withs.has('users_groups')) embedded.users_groups = [{ id: 0, name: 'Sales', uuid: null }];
      // §9.4: types 1 and 2 always exist; others are the account's own.
      if (withs.has('task_types')) {
        embedded.task_types = context.kommo.data(account.id).taskTypes.map((t) => ({ ...t }));
      }
      return sendHal(reply, {
        id: account.id,
        name: account.name,
        subdomain: account.subdomain,
        created_at: account.created_at,
        created_by: account.users[0]?.id ?? 0,
        updated_at: account.created_at,
        updated_by: account.users[0]?.id ?? 0,
        current_user_id: user?.id ?? account.current_user_id,
        country: account.country,
        currency: account.currency,
        currency_symbol: '$',
        customers_mode: 'disabled',
        is_unsorted_on: true,
        mobile_feature_version: 0,
        is_loss_reason_enabled: true,
        is_helpbot_enabled: false,
        is_technical_account: false,
        contact_name_display_order: 1,
        // Not in Kommo's documented shape; handy for the backend and the widget host.
        language: account.language,
        timezone: account.timezone,
        ...(withs.has('amojo_id') ? { amojo_id: account.amojo_id } : {}),
        ...(withs.has('version') ? { version: 11 } : {}),
        _links: { self: { href: `${baseUrl}/api/v4/account` } },
        _embedded: embedded,
      });
    },
  });

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/users',
    auth: 'admin',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const query = parseQuery(request);
      const paging = parsePaging(query);
      if ('error' in paging) return sendProblem(reply, 422, paging.error);
      const baseUrl = requestBaseUrl(request);
      const page = pageEnvelope(account.users, paging, { baseUrl, path: '/api/v4/users', query });
      if (page.items.length === 0) return sendEmpty(reply);
      return sendHal(reply, {
        _total_items: account.users.length,
        ...page.envelope,
        _embedded: { users: page.items.map((u) => renderUser(account, u, baseUrl)) },
      });
    },
  });

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/users/:id',
    auth: 'admin',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const id = idParam(request.params);
      const user = account.users.find((u) => u.id === id);
      if (!user) return sendEmpty(reply);
      return sendHal(reply, renderUser(account, user, requestBaseUrl(request)));
    },
  });
}
