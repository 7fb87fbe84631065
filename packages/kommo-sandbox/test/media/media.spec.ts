import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_FIXTURES } from '../../src/media/media-store.js';
import { buildSandbox } from '../../src/server.js';

type Upload = { id: string; url: string; fileName: string; contentType: string; size: number };

describe('fake file CDN (/media)', () => {
  const { app } = buildSandbox();
  let base = '';

  beforeAll(async () => {
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  const upload = async (body: unknown) => {
    const response = await fetch(`${base}/_sandbox/media`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as Upload & { message?: string },
    };
  };

  it('stores base64 bytes and serves them with their type and length', async () => {
    const bytes = Buffer.from('hello media');
    const { status, body } = await upload({
      fileName: 'note.txt',
      contentType: 'text/plain',
      base64: bytes.toString('base64'),
    });
    expect(status).toBe(201);
    expect(body.url).toBe(`${base}/media/${body.id}/note.txt`);
    expect(body.size).toBe(bytes.length);

    const response = await fetch(body.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it('serves the built-in fixtures: a real PNG and an OggS blob', async () => {
    const png = await upload({ fixture: 'image.png' });
    expect(png.body.url).toMatch(/\/media\/[0-9a-f]+\/image\.png$/);
    const image = await fetch(png.body.url);
    expect(image.headers.get('content-type')).toBe('image/png');
    const imageBytes = Buffer.from(await image.arrayBuffer());
    expect(imageBytes.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(imageBytes).toEqual(MEDIA_FIXTURES['image.png'].bytes);

    const ogg = await upload({ fixture: 'voice.ogg', fileName: 'voice note.ogg' });
    expect(ogg.body.url).toMatch(/\/voice%20note\.ogg$/);
    const voice = await fetch(ogg.body.url);
    expect(voice.headers.get('content-type')).toBe('audio/ogg');
    expect(
      Buffer.from(await voice.arrayBuffer())
        .subarray(0, 4)
        .toString('latin1'),
    ).toBe('OggS');
  });

  it('refuses bad uploads and answers 404 for unknown files', async () => {
    expect((await upload({ fixture: 'movie.mp4' })).status).toBe(400);
    expect(
      (await upload({ fileName: 'a/b.png', contentType: 'image/png', base64: '' })).status,
    ).toBe(400);
    expect((await upload({ fileName: 'a.png', contentType: 'png', base64: '' })).status).toBe(400);
    expect((await upload({ fileName: 'a.png', contentType: 'image/png', base64: 1 })).status).toBe(
      400,
    );
    expect((await fetch(`${base}/media/nope/a.png`)).status).toBe(404);
  });

  it('clears uploads on POST /_sandbox/reset', async () => {
    const { body } = await upload({ fixture: 'image.png' });
    expect((await fetch(body.url)).status).toBe(200);
    await fetch(`${base}/_sandbox/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect((await fetch(body.url)).status).toBe(404);
  });

  it('slow: answers only after the wait', async () => {
    const started = Date.now();
    const response = await fetch(`${base}/media/slow/300/pic.png`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(MEDIA_FIXTURES['image.png'].bytes);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('slow with stall=body: headers at once, the body after the wait', async () => {
    const started = Date.now();
    const response = await fetch(`${base}/media/slow/300/voice.ogg?stall=body`);
    expect(Date.now() - started).toBeLessThan(250);
    expect(response.headers.get('content-length')).toBe(
      String(MEDIA_FIXTURES['voice.ogg'].bytes.length),
    );
    expect(Buffer.from(await response.arrayBuffer())).toEqual(MEDIA_FIXTURES['voice.ogg'].bytes);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('big: streams the asked size, with or without Content-Length', async () => {
    const sized = await fetch(`${base}/media/big/200000/big.png`);
    expect(sized.headers.get('content-length')).toBe('200000');
    expect(sized.headers.get('content-type')).toBe('image/png');
    expect((await sized.arrayBuffer()).byteLength).toBe(200_000);

    const chunked = await fetch(`${base}/media/big/150001/big.ogg?chunked=1`);
    expect(chunked.headers.get('content-length')).toBeNull();
    expect((await chunked.arrayBuffer()).byteLength).toBe(150_001);

    expect((await fetch(`${base}/media/big/-1/x.png`)).status).toBe(400);
  });

  it('redirect: answers the status and Location asked for', async () => {
    const response = await fetch(
      `${base}/media/redirect?to=${encodeURIComponent('http://169.254.169.254/latest')}&status=307`,
      { redirect: 'manual' },
    );
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('http://169.254.169.254/latest');
    expect((await fetch(`${base}/media/redirect?to=x&status=200`)).status).toBe(400);
  });
});

describe('fake file CDN on close', () => {
  it('does not keep close() waiting for a slow download', async () => {
    const { app } = buildSandbox();
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const pending = fetch(`${base}/media/slow/60000/a.png`).then(
      (r) => r.arrayBuffer(),
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    await pending;
  });
});
