import { type HostAccount, type HostIntegration, type HostUser } from './host-directory.js';
import { type AccountWidgetSettings, type HostedWidget } from './widget-registry.js';

export const HOST_LOCATIONS = [
  'settings',
  'advanced_settings',
  'salesbot_designer',
  'lcard',
] as const;
export type HostLocation = (typeof HOST_LOCATIONS)[number];

/** Whether the manifest declares the location; `lcard` matches `lcard`, `lcard-0` and `lcard-1` (§9.5). */
export function offersLocation(locations: string[], location: HostLocation): boolean {
  return location === 'lcard'
    ? locations.some((l) => l === 'lcard' || l === 'lcard-0' || l === 'lcard-1')
    : locations.includes(location);
}

/** The open lead card (`lcard`): what `APP.data.current_card` describes; id 0 is a new card. */
export type HostCard = {
  id: number;
  name: string;
  price: number;
  status_id: number | null;
  pipeline_id: number | null;
  responsible_user_id: number | null;
};

export const ASSETS_PATH = '/_sandbox/widget-host/assets';

/** Where a widget's files are served; this is `get_settings().path` and `params.cdn_path`. */
export const widgetFilesPath = (code: string): string => `/_sandbox/widgets/${code}`;

export type HostPageInput = {
  origin: string;
  widget: HostedWidget;
  account: HostAccount;
  user: HostUser;
  integration: HostIntegration;
  location: HostLocation;
  lang: string | undefined;
  settings: AccountWidgetSettings;
  /** The lead whose card is open (location `lcard` only). */
  card?: HostCard;
};

/** Picks the widget language: asked for, else the account's, else English, else the first one. */
export function pickLanguage(widget: HostedWidget, wanted: (string | undefined)[]): string {
  const available = Object.keys(widget.i18n);
  return (
    wanted.find((lang) => lang && available.includes(lang)) ??
    (available.includes('en') ? 'en' : (available[0] ?? 'en'))
  );
}

/** The data the page's runtime works from (the sandbox's stand-in for Kommo's page state). */
export function buildBootstrap(input: HostPageInput): Record<string, unknown> {
  const { origin, widget, account, user, integration, location, settings, card } = input;
  const lang = pickLanguage(widget, [input.lang, account.language]);
  const path = `${origin}${widgetFilesPath(widget.code)}`;
  return {
    location,
    area: location,
    lang,
    origin,
    // What a real page's Origin header would be; the backend's CORS list must allow both.
    kommo_origin: `https://${account.host}`,
    account: {
      id: account.id,
      name: account.name,
      subdomain: account.subdomain,
      host: account.host,
      language: account.language,
      timezone: account.timezone,
      currency: account.currency,
    },
    user: {
      id: user.id,
      name: user.name,
      login: user.email,
      email: user.email,
      is_admin: user.is_admin,
    },
    users: account.users.map((u) => ({
      id: u.id,
      name: u.name,
      login: u.email,
      is_admin: u.is_admin,
    })),
    user_rights: { is_admin: user.is_admin, is_free_user: false },
    widget: {
      code: widget.code,
      version: widget.manifest.widget.version,
      manifest: widget.manifest,
      langs: widget.i18n[lang] ?? {},
      has_style: widget.files.has('style.css'),
      script_url: `${path}/script.js?v=${encodeURIComponent(widget.manifest.widget.version)}`,
    },
    settings: {
      ...settings.values,
      widget_code: widget.code,
      path,
      cdn_path: path,
      oauth_client_uuid: integration.client_id,
      active: settings.active ? 'Y' : 'N',
      status: settings.installed ? 'installed' : 'install',
      version: widget.manifest.widget.version,
    },
    installed: settings.installed,
    card: location === 'lcard' && card ? card : null,
    urls: {
      token: '/_sandbox/widget-token',
      settings: '/_sandbox/widget-host/settings',
      blocks: '/_sandbox/widget-host/salesbot-blocks',
    },
  };
}

// JSON inside <script>: keep "</script>" and line separators from ending or breaking it.
const scriptJson = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderHostPage(input: HostPageInput): string {
  const boot = buildBootstrap(input);
  const { account, user, widget, location } = input;
  const links = HOST_LOCATIONS.filter((l) => offersLocation(widget.manifest.locations, l))
    .map((l) => {
      const href = `?account=${encodeURIComponent(account.subdomain)}&location=${l}&widget=${encodeURIComponent(widget.code)}&user=${user.id}`;
      return `<a href="${escapeHtml(href)}"${l === location ? ' aria-current="page"' : ''}>${l}</a>`;
    })
    .join(' ');
  const card = input.card;
  const main =
    location === 'lcard' && card
      ? `<section class="host-card" data-testid="lead-card" data-lead-id="${card.id}"><h1 class="host-section-title" data-testid="lead-card-name">${card.id === 0 ? 'New lead' : `${escapeHtml(card.name)} (#${card.id})`}</h1></section>`
      : location === 'advanced_settings'
        ? `<h1 class="host-section-title" data-testid="advanced-title"></h1><div id="work-area-${escapeHtml(widget.code)}" class="work-area" data-testid="advanced-settings-area"></div>`
        : location === 'salesbot_designer'
          ? '<section id="salesbot-designer" data-testid="designer-pane"></section>'
          : '<p class="host-hint">The settings modal opens on load; use "Settings" to reopen it.</p>';
  return `<!doctype html>
<html lang="${escapeHtml(String(boot.lang))}">
<head>
<meta charset="utf-8">
<title>Widget host: ${escapeHtml(widget.code)} (${escapeHtml(account.subdomain)}, ${location})</title>
<link rel="stylesheet" href="${ASSETS_PATH}/host.css">
<script>window.__SANDBOX_HOST__ = ${scriptJson(boot)};</script>
<script src="${ASSETS_PATH}/require.js"></script>
<script src="${ASSETS_PATH}/jquery.js"></script>
<script src="${ASSETS_PATH}/host-runtime.js"></script>
</head>
<body class="sandbox-widget-host" data-location="${location}">
<header class="host-header" data-testid="host-header">
  <strong>Kommo sandbox</strong>
  <span data-testid="host-account">${escapeHtml(account.host)} (#${account.id})</span>
  <span data-testid="host-user">${escapeHtml(user.name)} (#${user.id}${user.is_admin ? ', admin' : ''})</span>
  <span data-testid="host-widget">${escapeHtml(widget.code)} v${escapeHtml(widget.manifest.widget.version)}</span>
  <nav>${links}</nav>
  <span>status: <output data-testid="widget-status">${input.settings.installed ? 'installed' : 'install'}</output></span>
  <button type="button" data-testid="open-settings">Settings</button>
  <button type="button" data-testid="widget-disable">Disable</button>
</header>
<main id="page_holder" class="host-main">
${main}
<div id="widgets_block" class="card-widgets" data-testid="widgets-area"></div>
</main>
<aside class="host-log-panel" data-testid="host-log-panel">
  <div class="host-counters">
    <span>host: <output data-testid="host-status">loading</output></span>
    <span>callbacks: <output data-testid="callback-order"></output></span>
    <span>errors: <output data-testid="error-count">0</output></span>
    <span>warnings: <output data-testid="warning-count">0</output></span>
    <span>console: <output data-testid="console-count">0</output></span>
  </div>
  <ol data-testid="host-log"></ol>
</aside>
</body>
</html>
`;
}

/** A small page for the cases where the host cannot start (no widget, account or integration). */
export function renderProblemPage(title: string, lines: string[]): string {
  const items = lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${ASSETS_PATH}/host.css"></head>
<body class="sandbox-widget-host"><main class="host-main">
<h1 data-testid="host-problem">${escapeHtml(title)}</h1><ul>${items}</ul>
</main></body></html>
`;
}
