import { EXTRACTION_ANSWER_KEY } from '@gpt-bridge/shared';
import { type JsonResponseFormat } from '../../integrations/ai-providers/provider.types';
import { type CatalogField } from './field-values';
import { type ProfileDefinition } from './extraction.types';

type Json = Record<string, unknown>;

/**
 * The strict JSON schema the ChatGPT webhook asks for (docs/ai-providers.md §1.11): the reply
 * under `answer` and one property per item, typed by its Kommo field, with the field's options as
 * an `enum` so the model can only pick existing ones. Strict mode wants every property required,
 * so an optional item is a union with null ("not said"). Items whose field is gone are left out
 * (the planner names them as skipped).
 */
export function extractionFormat(
  profile: ProfileDefinition,
  fields: ReadonlyMap<number, CatalogField>,
): JsonResponseFormat {
  const properties: Json = {
    [EXTRACTION_ANSWER_KEY]: {
      type: 'string',
      description: 'Your reply, exactly as the instructions ask you to answer.',
    },
  };
  for (const item of profile.items) {
    const field = fields.get(item.fieldId);
    const base = field ? valueSchema(field) : null;
    if (!base) continue;
    const description = `${item.instruction} (lead field "${field!.name}")`;
    properties[item.name] = item.required
      ? { ...base, description }
      : { anyOf: [base, { type: 'null' }], description };
  }
  return {
    name: `extract_${profile.name.replace(/-/g, '_')}`.slice(0, 64),
    schema: {
      type: 'object',
      additionalProperties: false,
      required: Object.keys(properties),
      properties,
    },
  };
}

function valueSchema(field: CatalogField): Json | null {
  const options = (field.enums ?? []).map((o) => o.value);
  switch (field.type) {
    case 'text':
    case 'textarea':
      return { type: 'string' };
    case 'url':
      return { type: 'string', description: 'A full http(s) address.' };
    case 'numeric':
      return { type: 'number' };
    case 'checkbox':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'select':
      return options.length ? { type: 'string', enum: options } : null;
    case 'multiselect':
      return options.length ? { type: 'array', items: { type: 'string', enum: options } } : null;
    default:
      return null;
  }
}

/**
 * The developer message: what to do, and today's date in the account's zone, so "Tuesday" can
 * become a day (the model has no clock).
 */
export function extractionInstructions(now: Date, timeZone: string): string {
  let today: string;
  try {
    today = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'long',
    }).format(now);
  } catch {
    today = now.toISOString().slice(0, 10);
  }
  return [
    'Answer the message as it asks, in the "answer" property.',
    'Also fill every other property from what the customer said in the message.',
    'Use null when the customer did not say it; never guess. Dates are YYYY-MM-DD.',
    `Today is ${today} (${timeZone}).`,
  ].join(' ');
}
