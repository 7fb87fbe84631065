import { describe, expect, it } from 'vitest';
import { fileNameFromUrl, formatBytes, resolveMimeType } from './outbound-http.service';

const url = (path: string) => new URL(`https://cdn.example${path}`);

describe('resolveMimeType', () => {
  it('takes the Content-Type without parameters', () => {
    expect(resolveMimeType('image/JPEG; charset=binary', url('/a'), 'image')).toBe('image/jpeg');
  });

  it('falls back to the extension when the type is missing or generic', () => {
    expect(resolveMimeType(null, url('/a.webp'), 'image')).toBe('image/webp');
    expect(resolveMimeType('application/octet-stream', url('/v.oga'), 'audio')).toBe('audio/ogg');
    expect(resolveMimeType('binary/octet-stream', url('/v.m4a'), 'any')).toBe('audio/mp4');
    expect(resolveMimeType(null, url('/blob'), 'any')).toBe('application/octet-stream');
  });

  it('maps containers voice notes come in to audio types', () => {
    expect(resolveMimeType('application/ogg', url('/v'), 'audio')).toBe('audio/ogg');
    expect(resolveMimeType('video/webm', url('/v'), 'audio')).toBe('audio/webm');
  });

  it('refuses what does not match the accepted kind, whatever the extension says', () => {
    expect(resolveMimeType('text/html', url('/a.png'), 'image')).toBeUndefined();
    expect(resolveMimeType('audio/ogg', url('/a.ogg'), 'image')).toBeUndefined();
    expect(resolveMimeType(null, url('/a.txt'), 'audio')).toBeUndefined();
  });
});

describe('fileNameFromUrl', () => {
  it('uses the decoded last path segment', () => {
    expect(fileNameFromUrl(url('/x/my%20photo.png?sig=1'), 'image/png')).toBe('my photo.png');
  });

  it('adds the extension of the type when the name has none', () => {
    expect(fileNameFromUrl(url('/download/abc123'), 'audio/ogg')).toBe('abc123.ogg');
    expect(fileNameFromUrl(url('/'), 'image/jpeg')).toBe('file.jpg');
  });

  it('keeps only safe characters', () => {
    expect(fileNameFromUrl(url('/..%2F..%2Fetc%2Fpasswd'), 'application/octet-stream')).toBe(
      '_.._etc_passwd',
    );
  });
});

describe('formatBytes', () => {
  it('reads like "20 MB"', () => {
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB');
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MB');
    expect(formatBytes(64 * 1024)).toBe('64 KB');
    expect(formatBytes(500)).toBe('500 bytes');
  });
});
