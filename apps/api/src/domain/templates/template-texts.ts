import { leadFieldName } from '@gpt-bridge/shared';

/** Languages the templates speak to customers and to the account's users in (field names too). */
export type TemplateLanguage = 'en' | 'pt' | 'es';

/** The tag the error branch puts on a lead while the AI fails, and removes when it answers. */
export const ERROR_TAG = 'OpenAI ERROR';

/** The intents the intent prompt asks ChatGPT for; the conditions compare these exact tags. */
export const INTENTS = {
  attendant: '#Attendant',
  meeting: '#Meeting',
  greeting: '#Greeting',
  general: '#General',
} as const;

/**
 * What ON_OFF holds when the bot stops answering a lead: the template's own values, and `human`,
 * which the backend writes while a person of the team talks to the customer (issue 22) and clears
 * when the pause ends.
 */
export const ON_OFF_VALUES = { attendant: '#Attendant', error: 'ERROR', human: '#Human' } as const;

// The marker the message follows in the intent prompt (tests script the fake AI on it).
export const MESSAGE_MARKER = 'Customer message:';

/**
 * The intent prompt: English instructions work for messages in any language, and the tags stay
 * English so the template's conditions do not depend on the account's language.
 */
export function intentPrompt(message: string): string {
  return [
    "Classify the customer's message below. Reply with exactly one of these tags and nothing else:",
    `${INTENTS.attendant} - they ask to talk to a person, a human or an attendant`,
    `${INTENTS.meeting} - they want to schedule a meeting, a call or a visit`,
    `${INTENTS.greeting} - the message is only a greeting`,
    `${INTENTS.general} - anything else`,
    'The message may be in any language.',
    '',
    MESSAGE_MARKER,
    message,
  ].join('\n');
}

/** The image branch: ChatGPT describes the picture for an assistant that may not see images. */
export function imagePrompt(message: string): string {
  return [
    'The customer sent the image below. Describe in one or two sentences what it shows, so that',
    'a sales assistant who cannot see images can answer the customer.',
    '',
    MESSAGE_MARKER,
    message,
  ].join('\n');
}

type Texts = {
  /** To the customer when the AI failed once and the bot tries again. */
  justAMoment: string;
  /** Header of the assistant's prompt in the image branch. */
  imageSays: (description: string) => string;
  /** Lead note when the AI failed once; `retry` says how the bot goes on. */
  errorNote: (log: string, retry: 'pause' | 'now') => string;
  /** Lead note when the retry failed too. */
  fatalNote: (log: string) => string;
  /** To the account's users when the bot gives up. */
  fatalInternal: (log: string) => string;
  /** To the account's users when the customer asked for a person. */
  attendantInternal: string;
  /** LOG when GPT Bridge did not answer before the wait loop's bound. */
  timeoutLog: (seconds: number) => string;
  /** Lead note and users' message when a GPT Bridge block could not be run at all. */
  unreachable: string;
};

const lead = '#{{lead.id}} "{{lead.name}}"';

export const TEMPLATE_TEXTS: Record<TemplateLanguage, Texts> = {
  en: {
    justAMoment: 'Just a moment, please.',
    imageSays: (d) => `[The customer sent an image. It shows: ${d}]`,
    errorNote: (log, retry) =>
      `GPT Bridge: the AI did not answer (${log}). The customer was asked to wait a moment; the bot tries once more ${retry === 'pause' ? 'in 45 seconds' : 'now'}.`,
    fatalNote: (log) =>
      `GPT Bridge: the AI failed again (${log}). The bot stopped. To switch it back on, clear the field "${leadFieldName('ON_OFF', 'en')}" and remove the tag "${ERROR_TAG}".`,
    fatalInternal: (log) =>
      `GPT Bridge could not answer lead ${lead}: ${log}. The bot stopped; please answer the customer.`,
    attendantInternal: `Lead ${lead} asked to talk to a person. The bot stopped; please answer the customer.`,
    timeoutLog: (s) => `ERROR timeout: GPT Bridge did not answer within ${s} s`,
    unreachable: `GPT Bridge could not be reached for lead ${lead}. The bot stopped; please answer the customer.`,
  },
  pt: {
    justAMoment: 'Só um momento, por favor.',
    imageSays: (d) => `[O cliente enviou uma imagem. Ela mostra: ${d}]`,
    errorNote: (log, retry) =>
      `GPT Bridge: a IA não respondeu (${log}). Pedimos ao cliente que aguarde um momento; o bot tenta mais uma vez ${retry === 'pause' ? 'em 45 segundos' : 'agora'}.`,
    fatalNote: (log) =>
      `GPT Bridge: a IA falhou de novo (${log}). O bot parou. Para religá-lo, limpe o campo "${leadFieldName('ON_OFF', 'pt')}" e remova a tag "${ERROR_TAG}".`,
    fatalInternal: (log) =>
      `O GPT Bridge não conseguiu responder o lead ${lead}: ${log}. O bot parou; responda ao cliente, por favor.`,
    attendantInternal: `O lead ${lead} pediu para falar com uma pessoa. O bot parou; responda ao cliente, por favor.`,
    timeoutLog: (s) => `ERROR timeout: o GPT Bridge não respondeu em ${s} s`,
    unreachable: `O GPT Bridge não pôde ser acessado para o lead ${lead}. O bot parou; responda ao cliente, por favor.`,
  },
  es: {
    justAMoment: 'Un momento, por favor.',
    imageSays: (d) => `[El cliente envió una imagen. Muestra: ${d}]`,
    errorNote: (log, retry) =>
      `GPT Bridge: la IA no respondió (${log}). Se pidió al cliente que espere un momento; el bot lo intenta una vez más ${retry === 'pause' ? 'en 45 segundos' : 'ahora'}.`,
    fatalNote: (log) =>
      `GPT Bridge: la IA falló de nuevo (${log}). El bot se detuvo. Para volver a activarlo, vacíe el campo "${leadFieldName('ON_OFF', 'es')}" y quite la etiqueta "${ERROR_TAG}".`,
    fatalInternal: (log) =>
      `GPT Bridge no pudo responder al lead ${lead}: ${log}. El bot se detuvo; por favor, responda al cliente.`,
    attendantInternal: `El lead ${lead} pidió hablar con una persona. El bot se detuvo; por favor, responda al cliente.`,
    timeoutLog: (s) => `ERROR timeout: GPT Bridge no respondió en ${s} s`,
    unreachable: `No se pudo contactar con GPT Bridge para el lead ${lead}. El bot se detuvo; por favor, responda al cliente.`,
  },
};

/** The account's language if we speak it, else English. */
export function templateLanguage(language: string | undefined): TemplateLanguage {
  return language === 'pt' || language === 'es' ? language : 'en';
}
