import { cpSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSandbox } from '../../src/server.js';
import { FIXTURE_DIR, fixtureManifest, fixtureZip, uploadZip } from './fixture-zip.js';

type Rejection = { error: string; errors: string[] };

describe('widget.zip upload', () => {
  const { app } = buildSandbox();
  let base = '';
  const dir = mkdtempSync(join(tmpdir(), 'widget-host-'));

  beforeAll(async () => {
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rejected = async (response: Response): Promise<string[]> => {
    expect(response.status).toBe(400);
    const body = (await response.json()) as Rejection;
    expect(body.error).toBe('invalid_widget_archive');
    return body.errors;
  };

  it('accepts the fixture widget and reports what it loaded', async () => {
    const response = await uploadZip(base, fixtureZip());
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      code: 'gpt_bridge_fixture',
      name: 'widget.name',
      title: 'GPT Bridge fixture',
      version: '1.0.0',
      locations: ['settings', 'advanced_settings', 'salesbot_designer'],
      path: `${base}/_sandbox/widgets/gpt_bridge_fixture`,
      warnings: [],
    });
    expect(body.files).toEqual([
      'app.js',
      'i18n/en.json',
      'i18n/es.json',
      'i18n/pt.json',
      'images/logo_min.png',
      'images/tour_1.png',
      'manifest.json',
      'script.js',
    ]);
    const list = (await (await fetch(`${base}/_sandbox/widgets`)).json()) as {
      widgets: { code: string }[];
    };
    expect(list.widgets.map((w) => w.code)).toContain('gpt_bridge_fixture');
  });

  it('rejects files inside a wrapping folder and says how to fix it', async () => {
    const errors = await rejected(await uploadZip(base, fixtureZip({ folder: 'widget' })));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/archive root.*widget\/manifest\.json/);
  });

  it('rejects an archive without manifest.json', async () => {
    const errors = await rejected(await uploadZip(base, fixtureZip({ omit: ['manifest.json'] })));
    expect(errors).toEqual(['manifest.json is missing at the archive root']);
  });

  it('rejects bytes that are not a zip', async () => {
    const errors = await rejected(await uploadZip(base, new TextEncoder().encode('not a zip')));
    expect(errors[0]).toMatch(/not a readable zip/);
  });

  it('rejects invalid JSON and a byte-order mark', async () => {
    expect(
      await rejected(await uploadZip(base, fixtureZip({ set: { 'manifest.json': '{"widget":' } }))),
    ).toEqual([expect.stringMatching(/^manifest\.json: invalid JSON/)]);
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{}')]);
    expect(
      await rejected(await uploadZip(base, fixtureZip({ set: { 'i18n/es.json': bom } }))),
    ).toEqual(['i18n/es.json: must be UTF-8 without a BOM']);
  });

  it('lists every manifest problem at once', async () => {
    const manifest = fixtureManifest() as { widget: Record<string, unknown>; locations: string[] };
    delete manifest.widget.name;
    manifest.widget.interface_version = 1;
    manifest.locations = ['settings', 'lcard-1', 'lcard-7', 'nowhere'];
    const errors = await rejected(
      await uploadZip(base, fixtureZip({ set: { 'manifest.json': manifest } })),
    );
    expect(errors).toEqual([
      'manifest.json: widget.name must be a non-empty string',
      'manifest.json: widget.interface_version must be 2',
      'manifest.json: unknown location "lcard-7"',
      'manifest.json: unknown location "nowhere"',
    ]);
  });

  it('requires an i18n file for every manifest locale, script.js and images', async () => {
    const errors = await rejected(
      await uploadZip(
        base,
        fixtureZip({
          omit: ['i18n/pt.json', 'script.js', 'images/logo_min.png', 'images/tour_1.png'],
        }),
      ),
    );
    expect(errors).toEqual([
      'script.js is missing at the archive root',
      'images/ folder with the widget logos is missing',
      'images/tour_1.png (a tour image in manifest.json) is missing',
      'i18n/pt.json is missing (manifest widget.locale lists "pt")',
    ]);
  });

  it('requires the tour: is_tour, images for every locale and a description', async () => {
    const missing = fixtureManifest();
    delete missing.tour;
    expect(
      await rejected(await uploadZip(base, fixtureZip({ set: { 'manifest.json': missing } }))),
    ).toEqual([
      'manifest.json: "tour" is required: {"is_tour": true, "tour_images": {"<lang>": ["/images/…png"]}, "tour_description": "…"}',
    ]);

    const partial = fixtureManifest();
    partial.tour = { is_tour: 'yes', tour_images: { en: ['/images/tour_1.png'], pt: [] } };
    expect(
      await rejected(await uploadZip(base, fixtureZip({ set: { 'manifest.json': partial } }))),
    ).toEqual([
      'manifest.json: tour.is_tour must be a boolean',
      'manifest.json: tour.tour_description must be a text or an i18n key',
      'manifest.json: tour.tour_images.pt must list at least one image',
      'manifest.json: tour.tour_images.es must list at least one image',
    ]);

    const es = { widget: { name: 'GPT Bridge (prueba)' } };
    const warned = await uploadZip(base, fixtureZip({ set: { 'i18n/es.json': es } }), '?code=tour');
    expect(warned.status).toBe(201);
    const body = (await warned.json()) as { warnings: string[] };
    expect(body.warnings).toContain('i18n/es.json: no text for key "widget.tour_description"');
  });

  it('checks location-specific manifest sections and settings field types', async () => {
    const manifest = fixtureManifest();
    delete manifest.advanced;
    manifest.salesbot_designer = { logo: '/x.png' };
    manifest.settings = { api_key: { name: 'settings.api_key', type: 'password' } };
    const errors = await rejected(
      await uploadZip(base, fixtureZip({ set: { 'manifest.json': manifest } })),
    );
    expect(errors).toEqual([
      'manifest.json: location "advanced_settings" needs "advanced": {"title": …}',
      'manifest.json: salesbot_designer declares no handler',
      'manifest.json: settings.api_key.type must be one of text, pass, users, users_lp, custom',
    ]);
  });

  it('accepts but warns about i18n keys a locale does not define', async () => {
    const es = { widget: { name: 'GPT Bridge (prueba)' } };
    const response = await uploadZip(
      base,
      fixtureZip({ set: { 'i18n/es.json': es } }),
      '?code=warned',
    );
    expect(response.status).toBe(201);
    const body = (await response.json()) as { code: string; warnings: string[] };
    expect(body.code).toBe('warned');
    expect(body.warnings).toContain('i18n/es.json: no text for key "settings.api_key"');
    expect(body.warnings.some((w) => w.startsWith('i18n/en.json'))).toBe(false);
  });

  it('loads a zip named by path and picks up a rebuilt zip on the next request', async () => {
    const path = join(dir, 'widget.zip');
    writeFileSync(path, fixtureZip());
    const response = await fetch(`${base}/_sandbox/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path, code: 'from_disk' }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      code: 'from_disk',
      source: { kind: 'file', path },
    });

    const manifest = fixtureManifest() as { widget: Record<string, unknown> };
    manifest.widget.version = '1.0.1';
    writeFileSync(path, fixtureZip({ set: { 'manifest.json': manifest } }));
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    const served = await fetch(`${base}/_sandbox/widgets/from_disk/manifest.json`);
    expect(((await served.json()) as { widget: { version: string } }).widget.version).toBe('1.0.1');
  });

  it('loads an unpacked widget folder, validated like a zip', async () => {
    const post = (body: unknown) =>
      fetch(`${base}/_sandbox/widgets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const loaded = await post({ dir: FIXTURE_DIR, code: 'unpacked' });
    expect(loaded.status).toBe(201);
    expect(await loaded.json()).toMatchObject({ code: 'unpacked', source: { kind: 'dir' } });
    const script = await fetch(`${base}/_sandbox/widgets/unpacked/script.js`);
    expect(await script.text()).toContain('define([');
    // A folder holding the widget folder: rejected like a zip with a folder inside.
    cpSync(FIXTURE_DIR, join(dir, 'wrap', 'widget'), { recursive: true });
    const wrapped = await post({ dir: join(dir, 'wrap') });
    expect((await rejected(wrapped))[0]).toMatch(/archive root.*widget\/manifest\.json/);
  });

  it('answers 400 for a path that does not exist and for a body that is neither', async () => {
    const missing = await fetch(`${base}/_sandbox/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: join(dir, 'nope.zip') }),
    });
    expect((await rejected(missing))[0]).toMatch(/cannot read .*nope\.zip/);
    const neither = await fetch(`${base}/_sandbox/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ file: 'x' }),
    });
    expect(neither.status).toBe(400);
  });
});

describe('SANDBOX_WIDGET_ZIP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'widget-host-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const withEnv = <T>(value: string, run: () => T): T => {
    process.env.SANDBOX_WIDGET_ZIP = value;
    try {
      return run();
    } finally {
      delete process.env.SANDBOX_WIDGET_ZIP;
    }
  };

  it('loads the widget at start', async () => {
    const path = join(dir, 'widget.zip');
    writeFileSync(path, fixtureZip());
    const { app } = withEnv(path, () => buildSandbox());
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const response = await fetch(`${base}/_sandbox/widgets/gpt_bridge_fixture`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ source: { kind: 'file', path } });
    } finally {
      await app.close();
    }
  });

  it('refuses to start with a broken zip', () => {
    const path = join(dir, 'broken.zip');
    writeFileSync(path, fixtureZip({ folder: 'dist' }));
    expect(() => withEnv(path, () => buildSandbox())).toThrow(/SANDBOX_WIDGET_ZIP=.*archive root/s);
  });
});
