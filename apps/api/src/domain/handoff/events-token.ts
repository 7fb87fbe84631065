// The account-webhook URL's secret: the same shape and storage as the salesbot webhook tokens
// (256 random bits, looked up by SHA-256, shown again from a SecretBox envelope), because Kommo
// signs none of these posts (docs/kommo-contract.md §8.1.3) and the URL is all that proves them.
export {
  hashWebhookToken as hashEventsToken,
  isWebhookTokenShaped as isEventsTokenShaped,
  newWebhookToken as newEventsToken,
} from '../installations/webhook-token';

export const eventsTokenContext = (installationId: string) =>
  `handoff_settings.events_token:${installationId}`;

/** Where Kommo posts the account's chat messages for one installation. */
export function eventsUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/kommo/events/${token}`;
}

/** The events of docs/kommo-contract.md §8.4: the customer's side, and the team's. */
export const HANDOFF_EVENTS = ['add_message', 'add_outgoing_message'] as const;
