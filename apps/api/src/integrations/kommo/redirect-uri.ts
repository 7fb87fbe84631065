import { type AppConfig } from '../../config/app-config';

export const OAUTH_CALLBACK_PATH = '/kommo/oauth/callback';

/** The redirect URI registered in Kommo: KOMMO_REDIRECT_URI, else ours under PUBLIC_URL. */
export function redirectUriOf(config: AppConfig): string {
  return config.get('KOMMO_REDIRECT_URI') ?? `${config.get('PUBLIC_URL')}${OAUTH_CALLBACK_PATH}`;
}
