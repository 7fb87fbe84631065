import { describe, expect, it } from 'vitest';
import { classifyMediaUrl, extractMedia } from './message-media';

describe('classifyMediaUrl', () => {
  it.each([
    ['https://cdn.example/a/photo.png', 'image'],
    ['https://cdn.example/a/photo.JPG', 'image'],
    ['https://cdn.example/a/photo.jpeg?sig=abc&exp=1', 'image'],
    ['http://127.0.0.1:4000/media/1/pic.webp', 'image'],
    ['https://cdn.example/anim.gif#frag', 'image'],
    ['https://cdn.example/voice.ogg', 'audio'],
    ['https://cdn.example/voice.oga', 'audio'],
    ['https://cdn.example/voice.opus', 'audio'],
    ['https://cdn.example/voice.mp3', 'audio'],
    ['https://cdn.example/voice.m4a', 'audio'],
    ['https://cdn.example/voice.wav', 'audio'],
    ['https://cdn.example/voice.webm', 'audio'],
    ['https://cdn.example/voice.aac', 'audio'],
    ['https://cdn.example/voice.amr', 'audio'],
    ['https://cdn.example/my%20photo.png', 'image'],
  ])('%s is %s', (url, kind) => expect(classifyMediaUrl(url)).toBe(kind));

  it.each([
    'https://example.com/',
    'https://example.com/page.html',
    'https://example.com/photo.png/view',
    'https://example.com/file?name=photo.png',
    'https://example.com/png',
    'https://example.com/.png',
    'ftp://example.com/photo.png',
    'not a url',
  ])('%s is not media', (url) => expect(classifyMediaUrl(url)).toBeUndefined());
});

describe('extractMedia', () => {
  it('returns plain text untouched', () => {
    expect(extractMedia('  Hello, is the sofa still available?  ')).toEqual({
      text: 'Hello, is the sofa still available?',
      images: [],
      audio: [],
    });
  });

  it('takes image and audio links out of the text', () => {
    const result = extractMedia(
      'What is this? https://cdn.example/a.jpg and https://cdn.example/voice.ogg thanks',
    );
    expect(result).toEqual({
      text: 'What is this? and thanks',
      images: ['https://cdn.example/a.jpg'],
      audio: ['https://cdn.example/voice.ogg'],
    });
  });

  it('leaves ordinary links in the text', () => {
    const result = extractMedia('See https://shop.example/item/42 and https://cdn.example/a.png');
    expect(result.text).toBe('See https://shop.example/item/42 and');
    expect(result.images).toEqual(['https://cdn.example/a.png']);
  });

  it('drops punctuation glued to a link but keeps it in the text', () => {
    const result = extractMedia(
      'Look (https://cdn.example/a.png). Also https://cdn.example/b.gif!',
    );
    expect(result.images).toEqual(['https://cdn.example/a.png', 'https://cdn.example/b.gif']);
    expect(result.text).toBe('Look (). Also !');
  });

  it('keeps balanced parentheses that belong to the link', () => {
    const result = extractMedia('https://cdn.example/photo_(1).png');
    expect(result.images).toEqual(['https://cdn.example/photo_(1).png']);
    expect(result.text).toBe('');
  });

  it('deduplicates and removes every copy', () => {
    const result = extractMedia('https://cdn.example/a.png\nhttps://cdn.example/a.png\nhi');
    expect(result.images).toEqual(['https://cdn.example/a.png']);
    expect(result.text).toBe('hi');
  });

  it('does not confuse a link with a longer link that starts like it', () => {
    const result = extractMedia('https://cdn.example/a.png https://cdn.example/a.png?v=2 x');
    expect(result.images).toEqual(['https://cdn.example/a.png', 'https://cdn.example/a.png?v=2']);
    expect(result.text).toBe('x');
  });

  it('keeps at most 4 images and 1 voice note; the rest stay in the text', () => {
    const links = [1, 2, 3, 4, 5].map((n) => `https://cdn.example/${n}.png`);
    const result = extractMedia(
      `${links.join(' ')} https://cdn.example/v1.ogg https://cdn.example/v2.mp3`,
    );
    expect(result.images).toEqual(links.slice(0, 4));
    expect(result.audio).toEqual(['https://cdn.example/v1.ogg']);
    expect(result.text).toBe('https://cdn.example/5.png https://cdn.example/v2.mp3');
  });

  it('returns an empty text when the message is only an attachment', () => {
    expect(extractMedia('https://cdn.example/voice.ogg')).toEqual({
      text: '',
      images: [],
      audio: ['https://cdn.example/voice.ogg'],
    });
  });

  it('tidies the blank lines the links leave behind', () => {
    const result = extractMedia('Hi\n\nhttps://cdn.example/a.png\n\n\nWhat is this?');
    expect(result.text).toBe('Hi\n\nWhat is this?');
  });
});
