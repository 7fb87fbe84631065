import path from 'node:path';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AppError } from '../../common/errors/app-error';
import { type FetchLike } from './fetch-like';
import {
  checkUrl,
  createGuardedFetch,
  type GuardedFetch,
  OutboundBlockedError,
  type OutboundPolicy,
  policyFromConfig,
} from './outbound-guard';

export type MediaKind = 'image' | 'audio' | 'any';

export type DownloadOptions = {
  /** Default MEDIA_MAX_BYTES. */
  maxBytes?: number;
  /** For the whole download, body included; default MEDIA_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Refuses other Content-Types before reading the body. Default 'any'. */
  accept?: MediaKind;
  signal?: AbortSignal;
};

export type DownloadedMedia = { bytes: Buffer; mimeType: string; fileName: string };

export type MediaDownloadErrorCode =
  | 'blocked'
  | 'timeout'
  | 'too_large'
  | 'http_status'
  | 'unsupported_type'
  | 'empty'
  | 'network'
  | 'aborted';

/** A media download that failed; the message is short and readable ("HTTP 404"). */
export class MediaDownloadError extends AppError<MediaDownloadErrorCode> {
  constructor(
    code: MediaDownloadErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(code, 'internal', message);
  }
}

/** How many redirects a media link may take (CDNs redirect to signed storage URLs). */
const MAX_MEDIA_REDIRECTS = 3;

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  wav: 'audio/wav',
  webm: 'audio/webm',
  aac: 'audio/aac',
  amr: 'audio/amr',
};

const EXTENSION_BY_MIME: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/wav': 'wav',
  'audio/webm': 'webm',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
};

// Servers that do not know the type send one of these; the extension then decides.
const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

// Containers that hold voice notes but are often labelled as something else.
const AUDIO_ALIASES: Readonly<Record<string, string>> = {
  'application/ogg': 'audio/ogg',
  'video/ogg': 'audio/ogg',
  'video/webm': 'audio/webm',
  'video/mp4': 'audio/mp4',
  'audio/x-wav': 'audio/wav',
  'audio/mp3': 'audio/mpeg',
};

function extensionOf(url: URL): string {
  return path.posix.extname(url.pathname).slice(1).toLowerCase();
}

function matches(mime: string, accept: MediaKind): boolean {
  if (accept === 'any') return true;
  return mime.startsWith(`${accept}/`);
}

/** The media type to report, or undefined when the response is not what `accept` asks for. */
export function resolveMimeType(
  contentType: string | null,
  url: URL,
  accept: MediaKind,
): string | undefined {
  let declared = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (accept === 'audio') declared = AUDIO_ALIASES[declared] ?? declared;
  const fromExtension = MIME_BY_EXTENSION[extensionOf(url)];
  if (!GENERIC_TYPES.has(declared)) return matches(declared, accept) ? declared : undefined;
  if (fromExtension && matches(fromExtension, accept)) return fromExtension;
  return accept === 'any' ? declared || 'application/octet-stream' : undefined;
}

/** The last path segment, made safe to hand to an API as a file name. */
export function fileNameFromUrl(url: URL, mimeType: string): string {
  let segment = url.pathname.split('/').pop() ?? '';
  try {
    segment = decodeURIComponent(segment);
  } catch {
    // keep the raw segment
  }
  let name = segment
    .replace(/[^\w.\-() ]+/g, '_')
    .replace(/^[.\s]+/, '')
    .slice(-100);
  if (!name) name = 'file';
  const extension = EXTENSION_BY_MIME[mimeType];
  if (!path.posix.extname(name) && extension) name = `${name}.${extension}`;
  return name;
}

export function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${Number(mb.toFixed(1))} MB`;
  const kb = bytes / 1024;
  if (kb >= 1) return `${Number(kb.toFixed(1))} KB`;
  return `${bytes} bytes`;
}

function blockedMessage(error: OutboundBlockedError): string {
  switch (error.reason) {
    case 'scheme':
      return 'only https links are allowed';
    case 'redirect':
      return 'too many redirects';
    case 'bad_url':
      return 'invalid link';
    case 'private_address':
    case 'credentials_in_url':
      return 'address not allowed';
  }
}

function networkMessage(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  switch (cause?.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection closed';
    default:
      return 'download failed';
  }
}

/**
 * All outbound HTTP that goes to addresses we do not control: `fetch` for AI providers (a 3xx is
 * an error) and `download` for media links from customer messages.
 */
@Injectable()
export class OutboundHttp implements OnModuleDestroy {
  readonly policy: OutboundPolicy;
  /** The providers' fetch: guarded, redirects refused. */
  readonly fetch: FetchLike;
  private readonly providerFetch: GuardedFetch;
  private readonly mediaFetch: GuardedFetch;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;

  constructor(config: AppConfig) {
    this.policy = policyFromConfig(config);
    this.maxBytes = config.get('MEDIA_MAX_BYTES');
    this.timeoutMs = config.get('MEDIA_TIMEOUT_MS');
    this.providerFetch = createGuardedFetch(this.policy);
    this.mediaFetch = createGuardedFetch(this.policy, { maxRedirects: MAX_MEDIA_REDIRECTS });
    this.fetch = this.providerFetch;
  }

  /** The synchronous part of the guard (e.g. to refuse a base URL when settings are saved). */
  check(url: string | URL): URL {
    return checkUrl(url, this.policy);
  }

  async download(url: string, options: DownloadOptions = {}): Promise<DownloadedMedia> {
    const maxBytes = options.maxBytes ?? this.maxBytes;
    const accept = options.accept ?? 'any';
    const what = accept === 'any' ? 'file' : accept;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), options.timeoutMs ?? this.timeoutMs);
    const signal = options.signal
      ? AbortSignal.any([timeout.signal, options.signal])
      : timeout.signal;
    const failure = (error: unknown): Error => {
      if (error instanceof MediaDownloadError) return error;
      if (error instanceof OutboundBlockedError) {
        return new MediaDownloadError('blocked', blockedMessage(error));
      }
      if (timeout.signal.aborted) return new MediaDownloadError('timeout', 'download timed out');
      if (options.signal?.aborted) return new MediaDownloadError('aborted', 'download cancelled');
      return new MediaDownloadError('network', networkMessage(error));
    };

    try {
      let response: Response;
      try {
        response = await this.mediaFetch(url, {
          signal,
          headers: { accept: accept === 'any' ? '*/*' : `${accept}/*` },
        });
      } catch (error) {
        throw failure(error);
      }
      const discard = () => response.body?.cancel().catch(() => undefined);
      if (response.status < 200 || response.status > 299) {
        await discard();
        throw new MediaDownloadError('http_status', `HTTP ${response.status}`, response.status);
      }
      const finalUrl = new URL(response.url || url);
      const mimeType =
        resolveMimeType(response.headers.get('content-type'), new URL(url), accept) ??
        resolveMimeType(response.headers.get('content-type'), finalUrl, accept);
      if (!mimeType) {
        await discard();
        const declared =
          response.headers.get('content-type')?.split(';')[0]?.trim() || 'unknown type';
        const expected = accept === 'image' ? 'an image' : 'an audio file';
        throw new MediaDownloadError('unsupported_type', `not ${expected} (${declared})`);
      }
      const tooLarge = () =>
        new MediaDownloadError('too_large', `${what} too large (max ${formatBytes(maxBytes)})`);
      const declaredLength = Number(response.headers.get('content-length') ?? NaN);
      if (declaredLength > maxBytes) {
        await discard();
        throw tooLarge();
      }
      const bytes = await this.readCapped(response, maxBytes, tooLarge).catch((error: unknown) => {
        throw failure(error);
      });
      if (bytes.length === 0) throw new MediaDownloadError('empty', `empty ${what}`);
      // The link the customer sent names the file; a CDN's signed redirect target rarely does.
      const original = new URL(url);
      const named = extensionOf(original) || !extensionOf(finalUrl) ? original : finalUrl;
      return { bytes, mimeType, fileName: fileNameFromUrl(named, mimeType) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads the body, stopping (and dropping the connection) once it passes `maxBytes`. */
  private async readCapped(
    response: Response,
    maxBytes: number,
    tooLarge: () => MediaDownloadError,
  ): Promise<Buffer> {
    if (!response.body) return Buffer.alloc(0);
    const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks, total);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.providerFetch.close(), this.mediaFetch.close()]);
  }
}
