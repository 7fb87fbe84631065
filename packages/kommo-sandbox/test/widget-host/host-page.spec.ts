import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSandbox } from '../../src/server.js';
import { FIXTURE_DIR, fixtureZip, uploadZip } from './fixture-zip.js';

type Boot = {
  location: string;
  lang: string;
  kommo_origin: string;
  account: { id: number; subdomain: string };
  user: { id: number; is_admin: boolean };
  widget: { code: string; langs: { widget: { name: string } }; script_url: string };
  settings: Record<string, unknown>;
};

/** The bootstrap JSON the page hands its runtime. */
function bootOf(html: string): Boot {
  const match = /window\.__SANDBOX_HOST__ = (.*);<\/script>/.exec(html);
  if (!match?.[1]) throw new Error('no bootstrap in page');
  return JSON.parse(match[1]) as Boot;
}

describe('widget host page', () => {
  const { app, context } = buildSandbox({ integration: { client_id: 'client-uuid-1' } });
  const acme = context.kommo.createAccount({ subdomain: 'acme', language: 'pt' });
  let base = '';

  beforeAll(async () => {
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  const page = async (query: string) => {
    const response = await fetch(`${base}/_sandbox/widget-host${query}`);
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      html: await response.text(),
    };
  };

  it('explains what is missing before a widget is loaded', async () => {
    const { status, html } = await page('?account=acme');
    expect(status).toBe(404);
    expect(html).toContain('No widget loaded');
    expect(html).toContain('SANDBOX_WIDGET_ZIP');
  });

  it('serves the extracted widget files under the widget path', async () => {
    expect((await uploadZip(base, fixtureZip())).status).toBe(201);
    const script = await fetch(`${base}/_sandbox/widgets/gpt_bridge_fixture/script.js?v=1.0.0`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toBe(readFileSync(join(FIXTURE_DIR, 'script.js'), 'utf8'));
    const png = await fetch(`${base}/_sandbox/widgets/gpt_bridge_fixture/images/logo_min.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer())).toEqual(
      readFileSync(join(FIXTURE_DIR, 'images/logo_min.png')),
    );
    expect((await fetch(`${base}/_sandbox/widgets/gpt_bridge_fixture/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/_sandbox/widgets/other/script.js`)).status).toBe(404);
  });

  it('loads RequireJS, jQuery and the host runtime, with the page state inline', async () => {
    const { status, type, html } = await page('?account=acme&location=settings');
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/html/);
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual([
      '/_sandbox/widget-host/assets/require.js',
      '/_sandbox/widget-host/assets/jquery.js',
      '/_sandbox/widget-host/assets/host-runtime.js',
    ]);
    for (const testId of [
      'host-log',
      'host-status',
      'callback-order',
      'error-count',
      'console-count',
      'widget-disable',
    ]) {
      expect(html).toContain(`data-testid="${testId}"`);
    }
    const boot = bootOf(html);
    const path = `${base}/_sandbox/widgets/gpt_bridge_fixture`;
    expect(boot).toMatchObject({
      location: 'settings',
      lang: 'pt',
      kommo_origin: 'https://acme.kommo.com',
      account: { id: acme.id, subdomain: 'acme' },
      user: { id: acme.current_user_id, is_admin: true },
      widget: { code: 'gpt_bridge_fixture', script_url: `${path}/script.js?v=1.0.0` },
      settings: {
        widget_code: 'gpt_bridge_fixture',
        path,
        cdn_path: path,
        oauth_client_uuid: 'client-uuid-1',
        active: 'N',
        status: 'install',
      },
    });
    expect(boot.widget.langs.widget.name).toBe('GPT Bridge (teste)');
  });

  it('honours a language override and keeps "</script>" inside values harmless', async () => {
    await uploadZip(
      base,
      fixtureZip({ set: { 'i18n/es.json': { widget: { name: '</script><b>x</b>' } } } }),
      '?code=tricky',
    );
    const { html } = await page('?account=acme&widget=tricky&lang=es');
    expect(html.match(/<\/script>/g)).toHaveLength(4);
    expect(bootOf(html).widget.langs.widget.name).toBe('</script><b>x</b>');
  });

  it('refuses locations the host or the manifest does not offer', async () => {
    expect((await page('?account=acme&location=lcard')).status).toBe(400);
    const manifest = JSON.parse(readFileSync(join(FIXTURE_DIR, 'manifest.json'), 'utf8')) as {
      locations: string[];
    };
    manifest.locations = ['settings'];
    await uploadZip(
      base,
      fixtureZip({ set: { 'manifest.json': manifest } }),
      '?code=settings_only',
    );
    const { status, html } = await page(
      '?account=acme&widget=settings_only&location=salesbot_designer',
    );
    expect(status).toBe(400);
    expect(html).toContain('does not list location');
    expect((await page('?account=nobody')).status).toBe(404);
  });

  it('opens the lead card location (lcard) for a chosen lead, a new card or the first lead', async () => {
    const manifest = JSON.parse(readFileSync(join(FIXTURE_DIR, 'manifest.json'), 'utf8')) as {
      locations: string[];
    };
    manifest.locations = ['settings', 'lcard-1'];
    await uploadZip(base, fixtureZip({ set: { 'manifest.json': manifest } }), '?code=card_widget');
    const beta = context.kommo.createAccount({ subdomain: 'beta' });
    expect((await page('?account=beta&widget=card_widget&location=lcard')).status).toBe(404);
    const first = context.kommo.createLead(beta.id, { name: 'First <lead>', price: 500 });
    const second = context.kommo.createLead(beta.id, { name: 'Second' });

    const chosen = await page(`?account=beta&widget=card_widget&location=lcard&lead=${second.id}`);
    expect(chosen.status).toBe(200);
    const boot = bootOf(chosen.html) as Boot & { card: Record<string, unknown>; area: string };
    expect(boot.location).toBe('lcard');
    expect(boot.card).toEqual({
      id: second.id,
      name: 'Second',
      price: 0,
      status_id: second.status_id,
      pipeline_id: second.pipeline_id,
      responsible_user_id: second.responsible_user_id,
    });
    expect(chosen.html).toContain(`data-testid="lead-card" data-lead-id="${second.id}"`);
    expect(chosen.html).toContain('data-testid="widgets-area"');
    expect(chosen.html).toContain('location=lcard');

    const byDefault = await page('?account=beta&widget=card_widget&location=lcard');
    expect((bootOf(byDefault.html) as Boot & { card: { id: number } }).card.id).toBe(first.id);
    expect(byDefault.html).toContain('First &#60;lead&#62; (#');
    const fresh = await page('?account=beta&widget=card_widget&location=lcard&lead=0');
    expect((bootOf(fresh.html) as Boot & { card: { id: number } }).card.id).toBe(0);
    expect(fresh.html).toContain('New lead');

    // Another account's lead, or a lead that does not exist.
    const other = context.kommo.createLead(acme.id, {});
    expect(
      (await page(`?account=beta&widget=card_widget&location=lcard&lead=${other.id}`)).status,
    ).toBe(404);
    expect((await page('?account=beta&widget=card_widget&location=lcard&lead=abc')).status).toBe(
      404,
    );
    // Outside a card there is no card.
    const settings = bootOf((await page('?account=beta&widget=card_widget')).html) as Boot & {
      card: unknown;
    };
    expect(settings.card).toBeNull();
  });

  it('serves RequireJS, jQuery and a runtime that parses as JavaScript', async () => {
    const requireJs = await (await fetch(`${base}/_sandbox/widget-host/assets/require.js`)).text();
    expect(requireJs).toContain('RequireJS 2.');
    const jquery = await (await fetch(`${base}/_sandbox/widget-host/assets/jquery.js`)).text();
    expect(jquery).toMatch(/jQuery v3\./);
    const runtime = await fetch(`${base}/_sandbox/widget-host/assets/host-runtime.js`);
    expect(runtime.headers.get('content-type')).toMatch(/^text\/javascript/);
    const source = await runtime.text();
    expect(() => new Script(source)).not.toThrow();
    expect(source).toContain("define('lib/components/base/modal'");
    // The designer pane's renderRow is Kommo's one-argument renderRow(caption) (§6.4).
    expect(source).toContain('function renderRow(caption)');
    expect(source).toContain('renderRow(caption) takes one argument, got ');
    // The lead card: APP.isCard() and APP.data.current_card follow the page's card (§9.5).
    expect(source).toContain('isCard: function () { return Boolean(card); }');
    expect(source).toContain("current_entity: card ? 'leads' : null");
    expect((await fetch(`${base}/_sandbox/widget-host/assets/other.js`)).status).toBe(404);
  });

  it('stores widget settings per account, as the settings modal saves them', async () => {
    const url = `${base}/_sandbox/widget-host/settings`;
    const put = (body: unknown) =>
      fetch(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const saved = await put({
      account_id: acme.id,
      widget_code: 'gpt_bridge_fixture',
      values: { api_key: 'k1' },
    });
    expect(await saved.json()).toMatchObject({
      values: { api_key: 'k1' },
      active: true,
      installed: true,
    });
    const disabled = await put({
      account_id: acme.id,
      widget_code: 'gpt_bridge_fixture',
      active: false,
    });
    expect(await disabled.json()).toMatchObject({
      values: { api_key: 'k1' },
      active: false,
      installed: true,
    });
    expect((await put({ account_id: 'x' })).status).toBe(400);

    const boot = bootOf((await page('?account=acme&widget=gpt_bridge_fixture')).html);
    expect(boot.settings).toMatchObject({ api_key: 'k1', active: 'N', status: 'installed' });
  });

  it('checks the salesbot JSON a designer save returns', async () => {
    const url = `${base}/_sandbox/widget-host/salesbot-blocks`;
    const post = (source: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          account_id: acme.id,
          widget_code: 'gpt_bridge_fixture',
          handler_code: 'ask_ai',
          source,
        }),
      });
    const good = await post(
      '[{"question":[{"handler":"goto","params":{"type":"question","step":1}}]}]',
    );
    expect(good.status).toBe(201);
    expect(await good.json()).toMatchObject({ valid_json: true, error: null });
    const verdict = async (source: string) =>
      ((await (await post(source)).json()) as { error: string }).error;
    expect(await verdict('[{"question":')).toMatch(/^bot JSON does not parse/);
    expect(await verdict('"just a string"')).toMatch(/array of steps/);
    expect(await verdict('[{"question":[{"params":{}}]}]')).toMatch(/"handler" name/);
    expect(
      await verdict(JSON.stringify([{ question: [{ handler: 'y'.repeat(70_000) }] }])),
    ).toMatch(/over 65536 bytes/);
    const listed = (await (await fetch(`${url}?account_id=${acme.id}`)).json()) as {
      blocks: unknown[];
    };
    expect(listed.blocks).toHaveLength(5);
  });

  it('forgets account state on a sandbox reset but keeps uploaded widgets', async () => {
    for (const hook of context.resetHooks) hook();
    const url = `${base}/_sandbox/widget-host/settings?account_id=${acme.id}&widget_code=gpt_bridge_fixture`;
    expect(await (await fetch(url)).json()).toMatchObject({ values: {}, installed: false });
    expect((await fetch(`${base}/_sandbox/widgets/gpt_bridge_fixture`)).status).toBe(200);
  });
});
