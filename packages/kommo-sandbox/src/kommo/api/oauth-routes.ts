import { type FastifyInstance, type RouteHandlerMethod } from 'fastify';
import { type SandboxContext } from '../../context.js';
import { registerAccountRoute } from '../api-guard.js';
import { sendOAuthProblem, sendProblem } from '../problems.js';
import { kommoRequest, setRequestKind } from '../request-state.js';
import { type KommoAccount } from '../types.js';
import { parseQuery } from './paging.js';

const escape = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** `{redirect_uri}?code&state&referer&client_id` (allow) or `?error=access_denied&client_id&state` (deny). */
export function consentRedirect(
  redirectUri: string,
  params: Record<string, string | undefined>,
): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') url.searchParams.set(key, value);
  }
  return url.toString();
}

function consentPage(
  accounts: KommoAccount[],
  query: Record<string, string>,
  integrationName: string,
): string {
  const preselect = query.account ?? '';
  const options = accounts
    .map(
      (a) =>
        `<option value="${a.id}"${a.subdomain === preselect || String(a.id) === preselect ? ' selected' : ''}>${escape(a.host)}</option>`,
    )
    .join('');
  const hidden = ['client_id', 'state', 'mode']
    .map((key) => `<input type="hidden" name="${key}" value="${escape(query[key] ?? '')}">`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Grant access</title></head><body>
<h1>Grant access to ${escape(integrationName)}</h1>
<form method="get" action="/oauth/decide">${hidden}
<label>Account <select name="account_id">${options}</select></label>
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form></body></html>`;
}

/** Consent page, token endpoint and the subdomain lookup (docs/kommo-contract.md §2). */
export function registerOAuthRoutes(app: FastifyInstance, context: SandboxContext): void {
  const store = context.kommo;

  // www.kommo.com/oauth: not account-scoped; the user picks the account on the page.
  app.get('/oauth', async (request, reply) => {
    const query = parseQuery(request) as Record<string, string>;
    if (query.client_id !== store.integration.client_id) {
      return reply.code(400).type('text/html').send('<h1>Unknown client_id</h1>');
    }
    const accounts = store.listAccounts();
    if (accounts.length === 0) {
      return reply.code(400).type('text/html').send('<h1>No accounts in the sandbox</h1>');
    }
    return reply
      .type('text/html; charset=utf-8')
      .send(consentPage(accounts, query, store.integration.name));
  });

  app.get('/oauth/decide', async (request, reply) => {
    const query = parseQuery(request) as Record<string, string>;
    const { integration } = store;
    if (query.client_id !== integration.client_id) {
      return reply.code(400).type('text/html').send('<h1>Unknown client_id</h1>');
    }
    if (query.decision !== 'allow') {
      return reply.redirect(
        consentRedirect(integration.redirect_uri, {
          error: 'access_denied',
          client_id: integration.client_id,
          state: query.state,
        }),
      );
    }
    const account =
      store.findAccount(query.account_id ?? '') ??
      (store.listAccounts().length === 1 ? store.listAccounts()[0] : undefined);
    if (!account) return reply.code(400).type('text/html').send('<h1>Pick an account</h1>');
    const code = store.oauth.issueCode(account.id, account.current_user_id, integration.client_id);
    return reply.redirect(
      consentRedirect(integration.redirect_uri, {
        code: code.code,
        state: query.state,
        referer: account.host,
        client_id: integration.client_id,
      }),
    );
  });

  registerAccountRoute(app, context, {
    method: 'POST',
    url: '/oauth2/access_token',
    auth: 'none',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const body = (
        typeof request.body === 'object' && request.body !== null ? request.body : {}
      ) as Record<string, unknown>;
      const param = (key: string) => (typeof body[key] === 'string' ? body[key] : undefined);
      const grantType = param('grant_type');
      if (grantType) setRequestKind(request, `oauth.${grantType}`);
      for (const key of ['client_id', 'client_secret', 'grant_type', 'redirect_uri']) {
        if (!param(key)) return sendOAuthProblem(reply, `Check the \`${key}\` parameter`, account);
      }
      const { integration } = store;
      if (
        param('client_id') !== integration.client_id ||
        param('client_secret') !== integration.client_secret
      ) {
        return sendOAuthProblem(reply, 'Client authentication failed', account, 401);
      }
      if (param('redirect_uri') !== integration.redirect_uri) {
        return sendOAuthProblem(reply, 'Redirect URI mismatch', account);
      }
      let result;
      if (grantType === 'authorization_code') {
        const code = param('code');
        if (!code) return sendOAuthProblem(reply, 'Check the `code` parameter', account);
        result = store.oauth.exchangeCode(account.id, code, integration.client_id);
      } else if (grantType === 'refresh_token') {
        const token = param('refresh_token');
        if (!token) return sendOAuthProblem(reply, 'Check the `refresh_token` parameter', account);
        result = store.oauth.exchangeRefresh(account.id, token, integration.client_id);
      } else {
        return sendOAuthProblem(
          reply,
          'The authorization grant type is not supported by the authorization server',
          account,
        );
      }
      if ('error' in result) return sendOAuthProblem(reply, result.hint, account);
      return reply.code(200).type('application/json').send(JSON.stringify(result));
    },
  });

  // What the PHP SDK calls after a 401/404 on refresh to find a renamed account
  // (docs/kommo-contract.md §2.6): on every account host, and on the central host (Kommo's
  // api-a.amocrm.ru), which the sandbox serves under `/central`.
  const lookup: RouteHandlerMethod = async (request, reply) => {
    const token = request.headers['x-refresh-token'];
    const grant = typeof token === 'string' ? store.oauth.findRefreshToken(token) : undefined;
    const account = grant ? store.getAccount(grant.account_id) : undefined;
    if (!account || grant?.revoked) return sendProblem(reply, 401, 'Invalid refresh token');
    return reply.type('application/json').send(
      JSON.stringify({
        id: account.id,
        subdomain: account.subdomain,
        domain: account.host,
        top_level_domain: account.domain.split('.').pop(),
      }),
    );
  };
  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/oauth2/account/current/subdomain',
    auth: 'none',
    kind: 'oauth.subdomain',
    handler: lookup,
  });
  app.get('/central/oauth2/account/current/subdomain', async (request, reply) => {
    setRequestKind(request, 'oauth.subdomain');
    return lookup.call(app, request, reply);
  });
}
