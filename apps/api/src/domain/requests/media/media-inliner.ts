import { AppError } from '../../../common/errors/app-error';
import { type AiImage } from '../../../integrations/ai-providers/provider.types';

/**
 * Images go to the model inline (data URLs): Kommo's CDN links expire and need no-one but us to
 * fetch them. The type comes from the bytes, since a CDN's Content-Type may be wrong or hostile.
 */

export const INLINE_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
export type InlineImageType = (typeof INLINE_IMAGE_TYPES)[number];

/** An image the model would not accept (unknown format, empty, or not an image at all). */
export class UnsupportedImageError extends AppError<'unsupported_image'> {
  constructor(message = 'unsupported image format (expected PNG, JPEG, WebP or GIF)') {
    super('unsupported_image', 'internal', message);
  }
}

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0) =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The image type its magic bytes show, or undefined for anything else. */
export function sniffImageType(bytes: Uint8Array): InlineImageType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return undefined;
}

/**
 * The image as the model receives it. `declaredType` (the download's Content-Type) is only
 * checked for being an image at all; the sniffed type is what goes into the data URL.
 */
export function inlineImage(bytes: Uint8Array, declaredType?: string): AiImage {
  if (bytes.length === 0) throw new UnsupportedImageError('empty image');
  if (declaredType && !/^image\//i.test(declaredType.trim())) {
    throw new UnsupportedImageError(`not an image (${declaredType})`);
  }
  const mimeType = sniffImageType(bytes);
  if (!mimeType) throw new UnsupportedImageError();
  return { mimeType, dataUrl: toDataUrl(bytes, mimeType) };
}

export function toDataUrl(bytes: Uint8Array, mimeType: string): string {
  return `data:${mimeType};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}
