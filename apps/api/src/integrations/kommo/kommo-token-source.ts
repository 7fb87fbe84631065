import { type KommoHost } from './kommo-host';

/** Where KommoClient gets access tokens; implemented by the installation's TokenService. */
export interface KommoTokenSource {
  /** A usable access token for the installation (refreshed first when it is about to expire). */
  accessToken(installationId: string): Promise<string>;
  /**
   * Kommo answered 401 to `rejected`. Returns a newer token: refreshed once across all processes,
   * or the one another caller already got. Throws KommoApiError (kind `auth`) when refresh is refused.
   */
  refreshAfterRejection(installationId: string, rejected: string): Promise<string>;
  /**
   * The account's host `failedHost` stopped answering: its current host and subdomain when the
   * account was renamed (the installation is updated), else null (docs/kommo-contract.md §2.6).
   */
  relocate(installationId: string, failedHost: string): Promise<KommoHost | null>;
}

export const KOMMO_TOKEN_SOURCE = Symbol('KOMMO_TOKEN_SOURCE');

/** What a client needs to know about the installation it talks for. */
export type KommoTarget = {
  installationId: string;
  /** `acme.kommo.com` or `acme.amocrm.ru`: the account's current host. */
  host: string;
  subdomain: string;
};
