import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppConfig } from '../../src/config/app-config';
import { inlineImage } from '../../src/domain/requests/media/media-inliner';
import {
  createGuardedFetch,
  OutboundBlockedError,
  type OutboundPolicy,
} from '../../src/integrations/outbound/outbound-guard';
import {
  MediaDownloadError,
  OutboundHttp,
} from '../../src/integrations/outbound/outbound-http.service';
import { freePort, SandboxProcess } from '../support/sandbox';
import { testEnv } from '../support/test-env';

// The sandbox listens on 127.0.0.1 over plain http: only the allow-list lets the guard reach it.
describe('outbound guard against the sandbox', () => {
  let sandbox: SandboxProcess;
  let port: string;
  let http: OutboundHttp;

  beforeAll(async () => {
    sandbox = await SandboxProcess.start();
    port = new URL(sandbox.url).port;
    http = new OutboundHttp(
      new AppConfig(
        testEnv({
          OUTBOUND_ALLOWED_HOSTS: `127.0.0.1:${port}`,
          MEDIA_MAX_BYTES: String(64 * 1024),
          MEDIA_TIMEOUT_MS: '2000',
        }),
      ),
    );
  });

  afterAll(async () => {
    await http?.onModuleDestroy();
    await sandbox?.stop();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** The readable reason of the MediaDownloadError a download fails with. */
  async function downloadError(
    url: string,
    options?: Parameters<OutboundHttp['download']>[1],
  ): Promise<MediaDownloadError> {
    const error = await http.download(url, options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MediaDownloadError);
    return error as MediaDownloadError;
  }

  /** Counts socket connections the guard opens while `run` runs. */
  async function connectionsDuring(run: () => Promise<unknown>): Promise<number> {
    const tcp = vi.spyOn(net, 'connect');
    const secure = vi.spyOn(tls, 'connect');
    await run().catch(() => undefined);
    const count = tcp.mock.calls.length + secure.mock.calls.length;
    tcp.mockRestore();
    secure.mockRestore();
    return count;
  }

  it('downloads an image from the allow-listed sandbox, bytes intact', async () => {
    const media = await sandbox.uploadMedia({ fixture: 'image.png', fileName: 'photo.png' });
    const result = await http.download(media.url, { accept: 'image' });
    expect(result.mimeType).toBe('image/png');
    expect(result.fileName).toBe('photo.png');
    expect(result.bytes.subarray(0, 4).toString('latin1')).toBe('\x89PNG');
    expect(result.bytes.length).toBe(media.size);
    expect(inlineImage(result.bytes, result.mimeType).dataUrl).toMatch(/^data:image\/png;base64,/);
  });

  it('downloads a voice note; the type falls back to the extension when the CDN is vague', async () => {
    const media = await sandbox.uploadMedia({
      fixture: 'voice.ogg',
      fileName: 'note.opus',
      contentType: 'application/octet-stream',
    });
    const result = await http.download(media.url, { accept: 'audio' });
    expect(result).toMatchObject({ mimeType: 'audio/ogg', fileName: 'note.opus' });
    expect(result.bytes.subarray(0, 4).toString('latin1')).toBe('OggS');
  });

  it('answers "HTTP 404" for a missing file and refuses a voice note asked for as an image', async () => {
    expect((await downloadError(`${sandbox.url}/media/nope/x.png`)).message).toBe('HTTP 404');
    const voice = await sandbox.uploadMedia({ fixture: 'voice.ogg' });
    expect((await downloadError(voice.url, { accept: 'image' })).message).toBe(
      'not an image (audio/ogg)',
    );
  });

  it('lets providers call the sandbox over plain http, multipart bodies included', async () => {
    const health = await http.fetch(`${sandbox.url}/_sandbox/health`);
    expect(await health.json()).toEqual({ status: 'ok' });

    // SDKs build Node's global FormData; the guard's undici must still send it as multipart.
    const form = new FormData();
    form.append('model', 'whisper-1');
    form.append('file', new Blob([new Uint8Array(2_000)], { type: 'audio/ogg' }), 'hello.ogg');
    const response = await http.fetch(`${sandbox.url}/openai/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test-outbound' },
      body: form,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ text: 'Transcript of hello.ogg' });
  });

  it('refuses the same sandbox as localhost: the name resolves to loopback', async () => {
    const media = await sandbox.uploadMedia({ fixture: 'image.png' });
    const viaName = media.url.replace('127.0.0.1', 'localhost');
    // Plain http is for allow-listed hosts only…
    expect((await downloadError(viaName)).message).toBe('only https links are allowed');
    // …and over https the DNS answer is judged before any TLS handshake could start.
    const error = await http
      .fetch(`https://localhost:${port}/_sandbox/health`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundBlockedError);
    expect(error).toMatchObject({ reason: 'private_address', host: 'localhost' });
    expect((await downloadError(viaName.replace('http:', 'https:'))).message).toBe(
      'address not allowed',
    );
  });

  it('does not let a policy without the allow-list reach the sandbox at all', async () => {
    const strict: OutboundPolicy = { allowedHosts: [], allowPrivate: false };
    const fetch = createGuardedFetch(strict);
    try {
      await expect(fetch(`${sandbox.url}/_sandbox/health`)).rejects.toMatchObject({
        reason: 'private_address',
      });
    } finally {
      await fetch.close();
    }
  });

  it('refuses 127.0.0.1 on a port that is not allow-listed, without connecting', async () => {
    const other = await freePort();
    const connections = await connectionsDuring(async () => {
      expect((await downloadError(`http://127.0.0.1:${other}/x.png`)).message).toBe(
        'address not allowed',
      );
      await expect(http.fetch(`http://127.0.0.1:${other}/x`)).rejects.toMatchObject({
        reason: 'private_address',
      });
    });
    expect(connections).toBe(0);
  });

  it('counts connections for real (control for the "without connecting" tests)', async () => {
    const fresh = createGuardedFetch(http.policy);
    try {
      const connections = await connectionsDuring(() => fresh(`${sandbox.url}/_sandbox/health`));
      expect(connections).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('refuses the cloud metadata address without any connection attempt', async () => {
    const connections = await connectionsDuring(async () => {
      expect((await downloadError('http://169.254.169.254/latest/meta-data')).message).toBe(
        'address not allowed',
      );
      await expect(http.fetch('https://169.254.169.254/latest/meta-data')).rejects.toMatchObject({
        name: 'OutboundBlockedError',
        reason: 'private_address',
      });
    });
    expect(connections).toBe(0);
  });

  it('refuses a file larger than the limit from its Content-Length, before reading', async () => {
    const started = Date.now();
    const error = await downloadError(`${sandbox.url}/media/big/${50 * 1024 * 1024}/big.png`, {
      accept: 'image',
    });
    expect(error.message).toBe('image too large (max 64 KB)');
    expect(error.code).toBe('too_large');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops reading a body without Content-Length once it passes the limit', async () => {
    const error = await downloadError(
      `${sandbox.url}/media/big/${50 * 1024 * 1024}/voice.ogg?chunked=1`,
      { accept: 'audio' },
    );
    expect(error.message).toBe('audio too large (max 64 KB)');
    // Just under the limit passes.
    const ok = await http.download(`${sandbox.url}/media/big/${64 * 1024}/file.bin?chunked=1`);
    expect(ok.bytes.length).toBe(64 * 1024);
  });

  it('times out a server that does not answer, and one that stalls mid-body', async () => {
    const started = Date.now();
    const silent = await downloadError(`${sandbox.url}/media/slow/10000/a.png`, {
      timeoutMs: 300,
    });
    expect(silent.message).toBe('download timed out');
    const stalled = await downloadError(`${sandbox.url}/media/slow/10000/a.png?stall=body`, {
      timeoutMs: 300,
    });
    expect(stalled.message).toBe('download timed out');
    expect(Date.now() - started).toBeLessThan(3_000);
    // MEDIA_TIMEOUT_MS (2 s) applies without the option.
    expect((await downloadError(`${sandbox.url}/media/slow/10000/a.png`)).code).toBe('timeout');
  });

  it('follows a CDN redirect that stays allowed, re-checking the Location', async () => {
    const media = await sandbox.uploadMedia({ fixture: 'image.png', fileName: 'cdn.png' });
    const result = await http.download(redirectTo(media.url), { accept: 'image' });
    expect(result.mimeType).toBe('image/png');
    expect(result.fileName).toBe('cdn.png');
  });

  it('refuses a redirect to a private address', async () => {
    const other = await freePort();
    for (const target of [
      'http://169.254.169.254/latest/meta-data',
      'https://169.254.169.254/latest/meta-data',
      `http://127.0.0.1:${other}/x.png`,
      'https://[::1]/x.png',
      'https://10.0.0.1/x.png',
    ]) {
      const error = await downloadError(redirectTo(target));
      expect(error.code, target).toBe('blocked');
    }
    expect((await downloadError(redirectTo('https://10.0.0.1/x.png'))).message).toBe(
      'address not allowed',
    );
  });

  it('gives up after 3 redirects, and providers get none at all', async () => {
    const media = await sandbox.uploadMedia({ fixture: 'image.png' });
    const threeHops = redirectTo(redirectTo(redirectTo(media.url)));
    expect((await http.download(threeHops)).mimeType).toBe('image/png');
    expect((await downloadError(redirectTo(threeHops))).message).toBe('too many redirects');

    await expect(http.fetch(redirectTo(media.url))).rejects.toMatchObject({
      name: 'OutboundBlockedError',
      reason: 'redirect',
    });
  });

  function redirectTo(target: string): string {
    return `${sandbox.url}/media/redirect?to=${encodeURIComponent(target)}`;
  }
});
