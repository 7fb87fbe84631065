/**
 * Kommo puts a customer's attachments into the message text as links. This finds the images and
 * voice notes among them (by file extension: conservative, so ordinary links stay text) and
 * returns the text without them.
 */

export type MessageMedia = { text: string; images: string[]; audio: string[] };

export const MAX_IMAGES = 4;
export const MAX_AUDIO = 1;

const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'webp', 'gif']);
const AUDIO_EXTENSIONS = new Set(['ogg', 'oga', 'opus', 'mp3', 'm4a', 'wav', 'webm', 'aac', 'amr']);

const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/gi;

// Sentence punctuation glued to a link is not part of it: "see https://x/a.png." or "(…a.png)".
function trimTrailing(candidate: string): string {
  let url = candidate;
  for (;;) {
    const last = url.at(-1);
    if (last === undefined) return url;
    if ('.,;:!?\'"»'.includes(last)) url = url.slice(0, -1);
    else if (')]}'.includes(last)) {
      const open = { ')': '(', ']': '[', '}': '{' }[last] ?? '';
      const opens = url.split(open).length - 1;
      const closes = url.split(last).length - 1;
      if (closes > opens) url = url.slice(0, -1);
      else return url;
    } else return url;
  }
}

export type MediaKindOfUrl = 'image' | 'audio' | undefined;

/** 'image' or 'audio' for an http(s) link whose path ends in a known media extension. */
export function classifyMediaUrl(link: string): MediaKindOfUrl {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  let file = url.pathname.split('/').pop() ?? '';
  try {
    file = decodeURIComponent(file);
  } catch {
    // a broken escape: judge the raw segment
  }
  const dot = file.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const extension = file.slice(dot + 1).toLowerCase();
  if (IMAGE_EXTENSIONS.has(extension)) return 'image';
  if (AUDIO_EXTENSIONS.has(extension)) return 'audio';
  return undefined;
}

/** Finds media links (max 4 images, 1 voice note, deduplicated) and removes them from the text. */
export function extractMedia(text: string): MessageMedia {
  const images: string[] = [];
  const audio: string[] = [];
  const taken = new Set<string>();
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = trimTrailing(match[0]);
    if (taken.has(url)) continue;
    const kind = classifyMediaUrl(url);
    const list = kind === 'image' ? images : kind === 'audio' ? audio : undefined;
    const limit = kind === 'image' ? MAX_IMAGES : MAX_AUDIO;
    // Links past the limits stay in the text, so the model at least knows more were sent.
    if (!list || list.length >= limit) continue;
    list.push(url);
    taken.add(url);
  }
  // Same segmentation as above, so only whole links go (punctuation after them stays).
  const rest = text
    .replace(URL_PATTERN, (match) => {
      const url = trimTrailing(match);
      return taken.has(url) ? match.slice(url.length) : match;
    })
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/[ \t]+$/gm, '')
    .replace(/^[ \t]+/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text: rest, images, audio };
}
