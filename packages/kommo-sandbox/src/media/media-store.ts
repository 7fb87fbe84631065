import { randomBytes } from 'node:crypto';

/** A file the fake CDN serves at `/media/{id}/{fileName}`. */
export type StoredMedia = { id: string; fileName: string; contentType: string; bytes: Buffer };

export const MEDIA_FIXTURES = {
  // A real 1x1 RGBA PNG (valid chunks and CRCs), small enough to inline anywhere.
  'image.png': {
    contentType: 'image/png',
    bytes: Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    ),
  },
  // Not a playable file: the OggS capture pattern and a page header, enough for type sniffing.
  'voice.ogg': {
    contentType: 'audio/ogg',
    bytes: Buffer.concat([
      Buffer.from('OggS', 'latin1'),
      Buffer.from([0x00, 0x02]),
      Buffer.alloc(20),
      Buffer.from([0x01, 0x13]),
      Buffer.from('OpusHead', 'latin1'),
      Buffer.from([0x01, 0x01, 0x38, 0x01, 0x80, 0xbb, 0x00, 0x00, 0x00, 0x00, 0x00]),
    ]),
  },
} as const satisfies Record<string, { contentType: string; bytes: Buffer }>;

export type MediaFixture = keyof typeof MEDIA_FIXTURES;

export const isMediaFixture = (name: unknown): name is MediaFixture =>
  typeof name === 'string' && Object.hasOwn(MEDIA_FIXTURES, name);

const TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
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
  txt: 'text/plain; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/** The Content-Type a CDN would send for this file name (octet-stream when unknown). */
export function contentTypeFor(fileName: string): string {
  const extension = fileName.includes('.') ? (fileName.split('.').pop() ?? '') : '';
  return TYPES_BY_EXTENSION[extension.toLowerCase()] ?? 'application/octet-stream';
}

/** The bytes the test endpoints (slow, …) serve for a name: a fixture of that type, else text. */
export function sampleBytesFor(fileName: string): Buffer {
  const type = contentTypeFor(fileName);
  if (type.startsWith('image/')) return MEDIA_FIXTURES['image.png'].bytes;
  if (type.startsWith('audio/')) return MEDIA_FIXTURES['voice.ogg'].bytes;
  return Buffer.from('sandbox media\n');
}

/** The fake file CDN's storage: in memory, cleared by `POST /_sandbox/reset`. */
export class MediaStore {
  private readonly files = new Map<string, StoredMedia>();

  put(input: { fileName: string; contentType: string; bytes: Buffer }): StoredMedia {
    const media: StoredMedia = { id: randomBytes(8).toString('hex'), ...input };
    this.files.set(media.id, media);
    return media;
  }

  get(id: string): StoredMedia | undefined {
    return this.files.get(id);
  }

  get size(): number {
    return this.files.size;
  }

  clear(): void {
    this.files.clear();
  }
}
