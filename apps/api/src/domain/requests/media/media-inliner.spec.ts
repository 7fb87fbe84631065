import { describe, expect, it } from 'vitest';
import { inlineImage, sniffImageType, toDataUrl, UnsupportedImageError } from './media-inliner';

// A real 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
const WEBP = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([0x1a, 0, 0, 0]),
  Buffer.from('WEBPVP8 '),
]);

describe('sniffImageType', () => {
  it.each([
    [PNG, 'image/png'],
    [JPEG, 'image/jpeg'],
    [GIF, 'image/gif'],
    [Buffer.from('GIF87a....'), 'image/gif'],
    [WEBP, 'image/webp'],
  ])('recognises %#', (bytes, type) => expect(sniffImageType(bytes)).toBe(type));

  it.each([
    ['svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['html', Buffer.from('<!doctype html><html>')],
    ['ogg', Buffer.from('OggS\0\x02')],
    ['RIFF wave', Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVE')])],
    ['truncated png', PNG.subarray(0, 4)],
    ['empty', Buffer.alloc(0)],
  ])('does not recognise %s', (_name, bytes) => expect(sniffImageType(bytes)).toBeUndefined());
});

describe('inlineImage', () => {
  it('builds a base64 data URL with the sniffed type', () => {
    const image = inlineImage(PNG, 'image/png');
    expect(image.mimeType).toBe('image/png');
    expect(image.dataUrl).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
  });

  it('trusts the bytes over a wrong image Content-Type', () => {
    expect(inlineImage(JPEG, 'image/png').mimeType).toBe('image/jpeg');
    expect(inlineImage(WEBP).mimeType).toBe('image/webp');
  });

  it('refuses bytes that are not an accepted image, whatever the header says', () => {
    expect(() => inlineImage(Buffer.from('<svg/>'), 'image/png')).toThrow(UnsupportedImageError);
    expect(() => inlineImage(Buffer.from('<svg/>'), 'image/svg+xml')).toThrow(
      /unsupported image format/,
    );
  });

  it('refuses a declared non-image type and empty bytes', () => {
    expect(() => inlineImage(PNG, 'text/html')).toThrow('not an image (text/html)');
    expect(() => inlineImage(Buffer.alloc(0))).toThrow('empty image');
  });
});

describe('toDataUrl', () => {
  it('encodes only the view, not the whole underlying buffer', () => {
    const pool = Buffer.from('xxxABCyyy');
    expect(toDataUrl(pool.subarray(3, 6), 'image/gif')).toBe('data:image/gif;base64,QUJD');
  });
});
