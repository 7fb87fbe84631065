// The demo's account, set up the way a Kommo user would: the widget installed through the OAuth
// install call, provider keys saved in the widget, both salesbot templates imported. Only the
// sandbox's control API stands in for the person clicking in Kommo.
import { randomBytes } from 'node:crypto';
import { sleep } from './processes.mjs';

export const DEMO_SUBDOMAIN = 'demo-shop';

const suffix = randomBytes(6).toString('hex');
// The sandbox's fake OpenAI answers any key; these are the demo's own, never real ones.
const CHATGPT_KEY = `sk-test-demo-chatgpt-${suffix}`;
const ASSISTANT_KEY = `sk-test-demo-assistant-${suffix}`;

const INSTRUCTIONS =
  'You are the assistant of Demo Shop, a small sneaker shop. Answer in one or two friendly sentences.';

// The templates' intent prompt ends with "Customer message:" and the message; the rules look only
// after it (the instructions above it name every intent).
const AFTER = 'Customer message:[\\s\\S]*';
const CHATGPT_SCRIPT = {
  answer: {
    mode: 'intent',
    rules: [
      {
        pattern: `${AFTER}\\b(person|human|agent|attendant|humano|atendente)\\b`,
        answer: '#Attendant',
      },
      {
        pattern: `${AFTER}\\b(meeting|appointment|call me|reuni[aã]o|agendar)`,
        answer: '#Meeting',
      },
      {
        pattern:
          'Customer message:\\s*((hi|hello|hey|oi|ol[aá]|good (morning|afternoon|evening)|bom dia|boa tarde)[\\s!.,]*)+$',
        answer: '#Greeting',
      },
    ],
    default: '#General',
  },
  failures: [],
};

// The assistant reads the customer's messages (PROMPT); `{{last}}` is what it was asked.
const ASSISTANT_SCRIPT = {
  answer: {
    mode: 'intent',
    rules: [
      {
        pattern:
          '^((hi|hello|hey|oi|ol[aá]|good (morning|afternoon|evening)|bom dia|boa tarde)[\\s!.,]*)+$',
        answer: "Hi! I'm the Demo Shop assistant (a demo answer). What can I do for you?",
      },
      {
        pattern: '\\b(meeting|appointment|call me|reuni[aã]o|agendar)',
        answer:
          'Happy to set up a meeting! Which day and time suit you? (a demo answer: the fake assistant read your request)',
      },
    ],
    default:
      'Thanks for asking! You wrote: "{{last}}". In this demo a fake assistant answers; with your own OpenAI, Dify or Chatbase assistant, its answer appears here.',
  },
  failures: [],
};

/** A JSON call that must succeed. */
async function call(base, method, route, body, headers = {}) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${route} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return text ? JSON.parse(text) : undefined;
}

/**
 * Creates the demo account, installs GPT Bridge on it and imports both templates; the
 * widget-block one is the bot a customer's message starts. Returns what the banner prints.
 */
export async function setUpDemo({ supervisor, apiUrl, sandboxUrl }) {
  const sandbox = (method, route, body) => call(sandboxUrl, method, route, body);
  const account = await sandbox('POST', '/_sandbox/accounts', {
    subdomain: DEMO_SUBDOMAIN,
    name: 'Demo Shop (GPT Bridge demo)',
    language: 'en',
  });

  // Kommo's install call: the sandbox calls our redirect URI with a code; the worker exchanges it
  // and creates the lead fields.
  const install = await sandbox('POST', `/_sandbox/accounts/${account.id}/install`, {});
  if (install.call?.status && install.call.status >= 400) {
    throw new Error(`the install call to our redirect URI answered ${install.call.status}`);
  }

  // The widget's own calls, with the X-Auth-Token Kommo gives it (valid for 30 minutes).
  const { token } = await sandbox('POST', '/_sandbox/widget-token', { account_id: account.id });
  const widget = (method, route, body) =>
    call(apiUrl, method, `/widget-api${route}`, body, { 'x-auth-token': token });

  // Our six lead fields appear in the account once the installation exists; then the widget
  // sees them with their ids (asking earlier would only log a refused widget call).
  const ready = async () => {
    const { custom_fields: inKommo } = await sandbox(
      'GET',
      `/_sandbox/accounts/${account.id}/custom-fields`,
    );
    if (inKommo.filter((f) => f.code?.startsWith('GPT_BRIDGE_')).length < 6) return false;
    return (await widget('GET', '/fields')).complete === true;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    supervisor.check();
    if (await ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      throw new Error('the demo account did not get its six lead fields within 60 s');
    }
    await sleep(250);
  }

  await widget('PUT', '/providers', {
    openaiApiKey: CHATGPT_KEY,
    assistant: {
      provider: 'openai',
      apiKey: ASSISTANT_KEY,
      // No model: the deployment's default (OPENAI_DEFAULT_MODEL) applies, as for a new account.
      instructions: INSTRUCTIONS,
    },
  });
  await sandbox('PUT', `/_sandbox/ai/scripts/${CHATGPT_KEY}`, CHATGPT_SCRIPT);
  await sandbox('PUT', `/_sandbox/ai/scripts/${ASSISTANT_KEY}`, ASSISTANT_SCRIPT);

  // Both templates as the widget offers them; an incoming message starts the newest active bot,
  // so the classic one is imported switched off.
  const bots = {};
  for (const [kind, name, active] of [
    ['classic', 'GPT Bridge (classic template)', false],
    ['widget_block', 'GPT Bridge (widget-block template)', true],
  ]) {
    const template = await widget('GET', `/templates/${kind}`);
    // The sandbox engine is strict (documented handlers only): the classic template's UI-only
    // steps are the ones the installer tells the user to add by hand in the designer.
    const bot = await sandbox('POST', '/_sandbox/salesbot/bots', {
      account: account.id,
      name,
      active,
      script: template.bot,
      hand_added: template.handAdded.map((entry) => entry.step),
    });
    bots[kind] = bot.id;
  }

  const lead = await sandbox('POST', `/_sandbox/accounts/${account.id}/leads`, {
    name: 'Demo customer',
  });
  return { account, lead, bots, keys: { chatgpt: CHATGPT_KEY, assistant: ASSISTANT_KEY } };
}
