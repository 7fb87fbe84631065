import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AppError } from '../errors/app-error';

const VERSION = 'gcm1';
const IV_BYTES = 12;

/** A key ring that cannot be read, or a sealed value that does not open with it. */
export class SecretBoxError extends AppError<'secret_box_failed'> {
  constructor(message: string) {
    super('secret_box_failed', 'internal', message);
  }
}

/** Parses ENCRYPTION_KEYS ("k2:<b64>,k1:<b64>"): the first key encrypts, all decrypt. */
export function parseKeyRing(spec: string): { current: string; keys: Map<string, Buffer> } {
  const keys = new Map<string, Buffer>();
  for (const part of spec.split(',')) {
    const [id, material] = part.trim().split(':');
    if (!id || !material) throw new SecretBoxError('malformed ENCRYPTION_KEYS entry');
    keys.set(id, Buffer.from(material, 'base64'));
  }
  const current = spec.split(',')[0]?.trim().split(':')[0];
  if (!current) throw new SecretBoxError('ENCRYPTION_KEYS is empty');
  return { current, keys };
}

/**
 * AES-256-GCM envelopes "gcm1:<keyId>:<iv>:<tag>:<ciphertext>" (base64url parts). The key id
 * travels with each value so keys can be rotated; `context` (e.g. "installations.refresh:<id>")
 * is bound as associated data, so a value copied to another row or column does not decrypt.
 */
@Injectable()
export class SecretBox {
  private readonly current: string;
  private readonly keys: Map<string, Buffer>;

  constructor(config: AppConfig) {
    ({ current: this.current, keys: this.keys } = parseKeyRing(config.get('ENCRYPTION_KEYS')));
  }

  encrypt(plain: string, context: string): string {
    const key = this.keys.get(this.current);
    if (!key) throw new SecretBoxError('current encryption key missing');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, this.current, iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join(':');
  }

  decrypt(envelope: string, context: string): string {
    const [version, keyId, iv, tag, body] = envelope.split(':');
    if (version !== VERSION || !keyId || !iv || !tag || body === undefined) {
      throw new SecretBoxError('not an encrypted value');
    }
    const key = this.keys.get(keyId);
    if (!key) throw new SecretBoxError(`encryption key "${keyId}" is not configured`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretBoxError('encrypted value does not authenticate (wrong key or context)');
    }
  }

  /** True when the value was written under an older key and should be re-encrypted. */
  isStale(envelope: string): boolean {
    return envelope.split(':')[1] !== this.current;
  }
}
