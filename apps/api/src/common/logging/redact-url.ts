// Webhook URLs carry their secret token in the path (/{token}/handler) and some callers put
// credentials in the query; log lines get neither.
const TOKEN_PATH = /^\/[^/?]+\/(handler|widget-request)(?=$|[/?])/;
// A token in a URL that is not quite the webhook's (`//{token}/handler`, `/{token}/Handler`, a
// proxy's prefix) misses the route and is answered 404, but its request line is still logged:
// any path segment shaped like one of our tokens (webhook-token.ts) is hidden too.
const TOKEN_SEGMENT = /(?<=\/)[A-Za-z0-9_-]{43}(?=$|\/)/g;
const SENSITIVE_QUERY =
  /^(code|token|access_token|refresh_token|state|signature|key|api_key|secret)$/i;

export function redactUrl(url: string): string {
  const [pathPart = '', query] = url.split('?', 2);
  const path = pathPart.replace(TOKEN_PATH, '/[token]/$1').replace(TOKEN_SEGMENT, '[token]');
  if (query === undefined) return path;
  const redacted = query
    .split('&')
    .map((pair) => {
      const [name = ''] = pair.split('=', 1);
      const decoded = decodeOrNull(name);
      // A name that does not decode is not ours to read: hide its value rather than throw.
      return decoded === null || SENSITIVE_QUERY.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${path}?${redacted}`;
}

function decodeOrNull(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}
