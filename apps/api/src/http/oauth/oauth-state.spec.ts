import { describe, expect, it } from 'vitest';
import { OAuthStateSigner, STATE_TTL_MS } from './oauth-state';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');

describe('OAuthStateSigner', () => {
  const signer = new OAuthStateSigner(`k1:${key(1)}`);

  it('accepts its own state until it expires', () => {
    const now = 1_800_000_000_000;
    const state = signer.issue(now);
    expect(signer.verify(state, now + 1_000)).toMatchObject({ expiresAt: now + STATE_TTL_MS });
    expect(signer.verify(state, now + STATE_TTL_MS)).toBeNull();
  });

  it('refuses made-up, tampered and other keys’ states', () => {
    const state = signer.issue();
    const [version, expiry, nonce, mac] = state.split('.');
    expect(signer.verify('not-a-state')).toBeNull();
    expect(
      signer.verify(
        `${version}.${expiry}.${nonce}.${mac!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`,
      ),
    ).toBeNull();
    // A later expiry under the old MAC (extending the window) does not verify.
    const later = (parseInt(expiry!, 36) + 60_000).toString(36);
    expect(signer.verify(`${version}.${later}.${nonce}.${mac}`)).toBeNull();
    expect(new OAuthStateSigner(`k2:${key(2)}`).verify(state)).toBeNull();
  });

  it('keeps open consent windows valid across a key rotation', () => {
    const state = signer.issue();
    expect(new OAuthStateSigner(`k2:${key(2)},k1:${key(1)}`).verify(state)).not.toBeNull();
  });
});
