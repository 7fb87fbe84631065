// Webhook bodies of realistic size and shape. `form` is what Kommo's "Send webhook" step posts (a
// PHP-style form naming the lead and the account, docs/kommo-contract.md §1); `json` is a
// 500–600-byte salesbot-like JSON (docs/performance.md, run 1). Each carries its lead id, so every request
// is a new delivery (a repeated body would be a duplicate, which the intake handles more cheaply).

/** `a[b][0][c]=x`, keys and values percent-encoded like PHP's http_build_query. */
export function phpForm(value, prefix = '') {
  const pairs = [];
  for (const [key, item] of Object.entries(value)) {
    const name = prefix ? `${prefix}[${key}]` : key;
    if (item !== null && typeof item === 'object') {
      pairs.push(phpForm(item, name));
    } else {
      pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(item ?? ''))}`);
    }
  }
  return pairs.filter(Boolean).join('&');
}

/**
 * Kommo's "Send webhook" body as production handlers see it (docs/kommo-contract.md §1): the lead,
 * its stage and the account, no fields and no message, so the worker reads the lead for PROMPT.
 */
export function kommoLead({ leadId, accountId, subdomain }) {
  return {
    leads: { add: [{ id: leadId, status_id: 142, pipeline_id: 7012345 }] },
    account: { id: accountId, subdomain },
  };
}

function salesbotJson({ leadId, accountId, subdomain }) {
  return {
    lead_id: leadId,
    account_id: accountId,
    subdomain,
    event: 'salesbot.webhook',
    bot_id: 4101,
    step: 3,
    message: {
      id: `msg-${leadId}`,
      channel: 'whatsapp',
      text: 'Hello, do you ship to Lisbon? I would like two of the blue ones before Friday.',
      contact: { id: 7700123, name: 'Maria Silva', phone: '+351912345678' },
    },
    custom_fields: {
      GPT_BRIDGE_PROMPT: 'Answer as a friendly sales assistant. Keep it under 60 words.',
      GPT_BRIDGE_MESSAGE: 'Hello, do you ship to Lisbon?',
    },
    source: 'salesbot',
    created_at: 1764000000,
  };
}

// A placeholder with the digits of a lead id, so the body is built once and split on it.
const MARK = 987654321012345;

/**
 * A body factory for the load generator: `make(leadId)` joins precomputed parts around the id,
 * cheap enough not to slow the generator down at saturation.
 */
export function bodyFactory(kind, account = { accountId: 31000001, subdomain: 'benchshop' }) {
  const text =
    kind === 'form'
      ? phpForm(kommoLead({ leadId: MARK, ...account }))
      : JSON.stringify(salesbotJson({ leadId: MARK, ...account }));
  const parts = text.split(String(MARK));
  return {
    contentType: kind === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
    make: (leadId) => parts.join(String(leadId)),
  };
}
