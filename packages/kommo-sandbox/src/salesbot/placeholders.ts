import { isRecord } from './bot-schema.js';
import { type LeadSnapshot } from './ports.js';

/** What `{{...}}` placeholders can see while a bot runs. */
export type PlaceholderScope = {
  lead: LeadSnapshot | undefined;
  account: { id: number; subdomain: string };
  botId: number;
  messageText: string;
  /** `data` of the last continue, read as `{{json.<key>}}` (dotted paths reach nested values). */
  json: Record<string, unknown>;
  origin: string;
  now: number;
};

const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** Replaces every placeholder; unknown ones become empty, as in Kommo's messages. */
export function renderTemplate(template: string, scope: PlaceholderScope): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => lookup(path, scope) ?? '');
}

/** Renders every string inside a JSON value (widget_request `data`). */
export function renderDeep(value: unknown, scope: PlaceholderScope): unknown {
  if (typeof value === 'string') return renderTemplate(value, scope);
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, scope));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, scope)]));
  }
  return value;
}

/**
 * A condition term: a template, or a bare placeholder path such as `chat.origin` (the singular
 * `condition` handler's documented form).
 */
export function renderTerm(term: unknown, scope: PlaceholderScope): string {
  if (term === undefined || term === null) return '';
  if (typeof term === 'number' || typeof term === 'boolean') return String(term);
  if (typeof term !== 'string') return JSON.stringify(term);
  if (term.includes('{{')) return renderTemplate(term, scope);
  if (/^(lead|contact|json|chat|account)\.[\w.]+$|^(message_text|origin|messenger)$/.test(term)) {
    return lookup(term, scope) ?? '';
  }
  return term;
}

export function lookup(path: string, scope: PlaceholderScope): string | undefined {
  const parts = path.split('.');
  const [head, ...rest] = parts;
  switch (head) {
    case 'message_text':
      return rest.length === 0 ? scope.messageText : undefined;
    case 'origin':
    case 'messenger':
      return scope.origin;
    case 'chat':
      return rest[0] === 'origin' ? scope.origin : undefined;
    case 'json':
      return stringify(dig(scope.json, rest));
    case 'lead':
      return leadValue(scope.lead, rest);
    case 'contact':
      return contactValue(scope.lead, rest);
    case 'account':
      if (rest[0] === 'id') return String(scope.account.id);
      return rest[0] === 'subdomain' ? scope.account.subdomain : undefined;
    case 'bot':
      return rest[0] === 'id' ? String(scope.botId) : undefined;
    case 'current_date':
      return new Date(scope.now).toISOString().slice(0, 10);
    case 'current_time':
      return new Date(scope.now).toISOString().slice(11, 16);
    default:
      return undefined;
  }
}

function leadValue(lead: LeadSnapshot | undefined, rest: string[]): string | undefined {
  if (!lead) return undefined;
  const [key, id] = rest;
  switch (key) {
    case 'id':
      return String(lead.id);
    case 'name':
      return lead.name;
    case 'price':
    case 'budget':
      return String(lead.price);
    case 'status_id':
      return lead.statusId === null ? '' : String(lead.statusId);
    case 'pipeline_id':
      return lead.pipelineId === null ? '' : String(lead.pipelineId);
    case 'responsible_user_id':
      return lead.responsibleUserId === null ? '' : String(lead.responsibleUserId);
    case 'tags':
      return lead.tags.join(', ');
    case 'cf':
    case 'custom_fields':
      return id === undefined ? undefined : (lead.fields[id] ?? '');
    default:
      return undefined;
  }
}

function contactValue(lead: LeadSnapshot | undefined, rest: string[]): string | undefined {
  const contact = lead?.contact;
  if (!contact) return undefined;
  switch (rest[0]) {
    case 'id':
      return contact.id === null ? '' : String(contact.id);
    case 'name':
      return contact.name;
    case 'first_name':
      return contact.firstName;
    case 'last_name':
      return contact.lastName;
    default:
      return undefined;
  }
}

function dig(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key)];
    else if (isRecord(current)) current = current[key];
    else return undefined;
  }
  return current;
}

function stringify(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
