/** The panel's English texts; pt and es must have every key (their type says so). */
export const en = {
  title: 'GPT Bridge',
  loading: 'Loading…',
  retry: 'Try again',
  saving: 'Saving…',
  save: 'Save',
  cancel: 'Cancel',
  errorPrefix: 'Error',
  notAdmin: 'Only an account administrator can change GPT Bridge settings.',
  unreachable: 'GPT Bridge could not be reached: {message}',

  connection: 'Connection',
  account: 'Account',
  statusActive: 'Connected',
  statusPending: 'Installing: the fields are being created',
  statusAuthFailed: 'Kommo refused our access; install the widget again',
  tokenNotAdmin:
    'GPT Bridge was authorized by a user who is not an account administrator, so it cannot create its lead fields or continue salesbots. Ask an administrator of this Kommo account to install GPT Bridge again.',
  statusDisabled: 'Disabled',

  fields: 'Lead fields',
  fieldsIntro:
    'The salesbot reads and writes these lead fields. Keep them; their ids go into the templates.',
  fieldKey: 'Field',
  fieldName: 'Name in Kommo',
  fieldId: 'Id',
  fieldState: 'State',
  fieldPresent: 'exists',
  fieldMissing: 'missing in Kommo',
  fieldsAllPresent: 'All six fields exist.',
  fieldsSomeMissing: '{count} missing: press Re-provision to create them again.',
  reprovision: 'Re-provision fields',
  reprovisioning: 'Creating the missing fields…',
  reprovisionSlow: 'Still working; check again in a minute.',

  webhooks: 'Webhook URLs',
  webhooksIntro:
    'Paste these into the salesbot\'s "Send webhook" steps. Each URL holds a secret: share it with no one.',
  webhookChatgpt: 'ChatGPT webhook (internal decisions)',
  webhookAssistant: 'Assistant webhook (answers to customers)',
  copy: 'Copy',
  copied: 'Copied',
  copyFailed: 'Copy failed: select the URL and copy it by hand',
  rotate: 'Rotate',
  rotateConfirm: 'The old URL stops working at once. Rotate?',
  rotated: 'New URL ready: update your salesbot steps.',

  providers: 'AI providers',
  providersIntro:
    'Keys are stored encrypted and never shown again; leave a key empty to keep the saved one.',
  openaiKey: 'OpenAI API key (ChatGPT webhook, voice notes)',
  assistantProvider: 'Assistant provider',
  providerOpenai: 'OpenAI',
  providerDify: 'Dify',
  providerChatbase: 'Chatbase',
  providerCompatible: 'OpenAI-compatible (OpenRouter, Groq, Gemini, self-hosted)',
  assistantKey: 'Assistant API key',
  assistantKeyOpenai: 'Assistant API key (empty: the OpenAI key above)',
  model: 'Model',
  instructions: "Instructions (the assistant's system prompt)",
  baseUrl: 'Base URL',
  agentId: 'Chatbase agent id',
  apiVersion: 'Chatbase API version',
  keySaved: 'saved: {hint}',
  keyNotSet: 'not set',
  removeKey: 'Remove',
  saved: 'Saved.',

  template: 'Salesbot template',
  templateIntro:
    'Kommo has no API that creates salesbots: download the bot for this account and import it in the salesbot designer.',
  templateClassic: 'Classic (webhooks and wait loops)',
  templateWidgetBlock: 'With the GPT Bridge block (recommended; answers as soon as they exist)',
  templateKind: 'Template',
  templateLoad: 'Prepare the template',
  templateDownload: 'Download JSON',
  templateCopy: 'Copy JSON',
  templateSteps: 'Steps',
  templateFieldsOk: 'The fields this template needs exist.',
  templateFieldsMissing: 'Fields missing: {fields}. Re-provision the fields first.',
  templateSize: '{kb} KB of the 64 KB Kommo accepts',
  templateRecommended:
    'Recommended: it uses documented salesbot steps only, so nothing has to be added by hand.',
  templateNotRecommended:
    'The template with the GPT Bridge block is the recommended one: this one needs steps added by hand.',
  handAdded: 'Add by hand in the designer',
  handAddedIntro:
    'Kommo publishes no JSON for these designer steps. After the import, open each step below and add the step by hand where the designer does not show it:',
  handAddedWebhook: 'Steps {steps}: a "Send webhook" step to {url}',
  handAddedPause: 'Steps {steps}: a "Pause" step of {seconds} seconds',
  handAddedTimedWait:
    "Step {step}: wait for the customer's answer at most {seconds} seconds; an answer goes to step {answer}, no answer to step {timeout}",

  usage: 'Usage this month',
  usageOf: '{used} of {allowance} requests',
  usagePlan: 'Plan: {plan}',
  usageRemaining: '{remaining} left; the count starts again on {date}',
  usageForecast: 'At this pace the allowance runs out on {date}',
  usageWarning: "You have used {threshold}% of this month's requests.",
  usageChart: 'Requests per day',
  usageNone: 'No requests yet this month.',
  usageDay: '{day}: {total} ({chatgpt} ChatGPT, {assistant} Assistant)',
  usageCost: 'Estimated AI cost: {cost} (OpenAI prices of {date})',
  usageCostCap: 'Monthly cost cap: {cap}',
  usageCostCapNone: 'No monthly cost cap',
  usageCostCapReached:
    "This month's estimated AI cost reached the cap: the bots stay silent until {date} or until the cap is raised.",
  costCapLabel: 'Monthly cost cap (USD)',
  costCapHelp:
    'When the estimated cost of this month reaches it, requests are refused like over the plan limit. Empty = no cap.',
  costCapInvalid: 'Enter an amount from 0.01 to 1,000,000 USD, in cents.',

  console: 'Test console',
  consoleIntro:
    'Send a prompt with your saved settings. It is not counted as usage and nothing is written to a lead.',
  consoleKind: 'Webhook',
  consolePrompt: 'Prompt',
  consoleSend: 'Send',
  consoleSending: 'Waiting for the answer…',
  consoleAnswer: 'Answer',
  consoleLatency: '{provider} · {model} · {ms} ms',
  consoleTokens: '{tokens} tokens',
  consoleError: 'The provider answered with an error',

  blockStatusReady: 'This block answers through {url}',
  blockStatusLoading: 'Connecting to GPT Bridge…',
  blockStatusError:
    'GPT Bridge could not be reached: open the widget settings, then save this block again.',
};

export type Messages = typeof en;
export type MessageKey = keyof Messages;
