import { describe, expect, it } from 'vitest';
import {
  contentTypeFor,
  isMediaFixture,
  MediaStore,
  sampleBytesFor,
} from '../../src/media/media-store.js';

describe('MediaStore', () => {
  it('stores files under fresh ids and forgets them on clear', () => {
    const store = new MediaStore();
    const a = store.put({ fileName: 'a.png', contentType: 'image/png', bytes: Buffer.from('a') });
    const b = store.put({ fileName: 'a.png', contentType: 'image/png', bytes: Buffer.from('b') });
    expect(a.id).not.toBe(b.id);
    expect(store.get(a.id)?.bytes.toString()).toBe('a');
    store.clear();
    expect(store.get(a.id)).toBeUndefined();
    expect(store.size).toBe(0);
  });
});

describe('media helpers', () => {
  it('types files by extension like a CDN would', () => {
    expect(contentTypeFor('x.PNG')).toBe('image/png');
    expect(contentTypeFor('voice.opus')).toBe('audio/ogg');
    expect(contentTypeFor('noext')).toBe('application/octet-stream');
  });

  it('serves a fixture of the right kind for test endpoints', () => {
    expect(sampleBytesFor('x.jpg').subarray(1, 4).toString()).toBe('PNG');
    expect(sampleBytesFor('x.ogg').subarray(0, 4).toString()).toBe('OggS');
    expect(isMediaFixture('image.png')).toBe(true);
    expect(isMediaFixture('toString')).toBe(false);
  });
});
