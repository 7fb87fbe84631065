import { KommoStoreError, notFound } from './errors.js';
import { normalizeFieldValues, type FieldValueInput } from './field-values.js';
import {
  type CustomField,
  type CustomFieldType,
  type FieldValue,
  type KommoAccount,
  type KommoSettings,
  type Lead,
  type Note,
  type NoteType,
  type Tag,
} from './types.js';
import { AccountWebhooks, type Webhook } from './webhooks/subscriptions.js';

/** Hands out ids; shared by all accounts so ids are unique in the sandbox, like Kommo's. */
export type IdSource = (
  kind: 'account' | 'lead' | 'field' | 'tag' | 'note' | 'enum' | 'user' | 'webhook',
) => number;

export type CreateLeadInput = {
  name?: string;
  price?: number;
  status_id?: number;
  pipeline_id?: number;
  responsible_user_id?: number;
  /** field id or code → value (a scalar, Kommo's `values` array, or null). */
  fields?: Record<string, FieldValueInput>;
  /** Tag names (created when missing) or ids. */
  tags?: (string | number)[];
};

export type CreateFieldInput = {
  name: string;
  type: CustomFieldType;
  code?: string | null;
  sort?: number;
  group_id?: string | null;
  is_api_only?: boolean;
  enums?: { value: string; sort?: number; code?: string | null }[] | null;
  required_statuses?: { status_id: number; pipeline_id: number }[];
};

export type AccountDataSnapshot = {
  account: KommoAccount;
  leads: Lead[];
  fields: CustomField[];
  tags: Tag[];
  notes: Note[];
  /** Absent in state files written before webhooks existed. */
  webhooks?: Webhook[];
};

/** Everything one account holds: leads, lead custom fields, lead tags, lead notes. */
export class AccountData {
  readonly leads = new Map<number, Lead>();
  readonly fields = new Map<number, CustomField>();
  readonly tags = new Map<number, Tag>();
  readonly notes = new Map<number, Note>();
  readonly webhooks: AccountWebhooks;

  constructor(
    readonly account: KommoAccount,
    private readonly ids: IdSource,
    private readonly now: () => number,
    private readonly limits: () => KommoSettings['fields'],
  ) {
    this.webhooks = new AccountWebhooks(
      account.id,
      () => ids('webhook'),
      () => this.seconds(),
    );
  }

  // Kommo timestamps are unix seconds.
  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  // ---- custom fields

  listFields(): CustomField[] {
    return [...this.fields.values()].sort((a, b) => a.sort - b.sort || a.id - b.id);
  }

  /** Finds a field by numeric id or by its code. */
  findField(idOrCode: number | string): CustomField | undefined {
    const asNumber = Number(idOrCode);
    if (Number.isInteger(asNumber) && this.fields.has(asNumber)) return this.fields.get(asNumber);
    return [...this.fields.values()].find((f) => f.code !== null && f.code === String(idOrCode));
  }

  createField(input: CreateFieldInput): CustomField {
    const code = input.code ?? null;
    if (code !== null && [...this.fields.values()].some((f) => f.code === code)) {
      throw new KommoStoreError('NotUnique', `Field code ${code} is already used`, 'code');
    }
    const id = this.ids('field');
    const enums = input.enums
      ? input.enums.map((e, index) => ({
          id: this.ids('enum'),
          value: e.value,
          sort: e.sort ?? (index + 1) * 10,
          code: e.code ?? null,
        }))
      : null;
    const field: CustomField = {
      id,
      name: input.name,
      type: input.type,
      code,
      sort: input.sort ?? 500 + this.fields.size,
      group_id: input.group_id ?? null,
      is_api_only: input.is_api_only ?? false,
      is_predefined: false,
      is_deletable: true,
      enums,
      required_statuses: input.required_statuses ?? [],
      entity_type: 'leads',
    };
    this.fields.set(id, field);
    return field;
  }

  deleteField(fieldId: number): void {
    if (!this.fields.delete(fieldId)) throw notFound(`Field ${fieldId}`);
    for (const lead of this.leads.values()) delete lead.fields[String(fieldId)];
  }

  // ---- tags

  listTags(): Tag[] {
    return [...this.tags.values()].sort((a, b) => a.id - b.id);
  }

  findTag(idOrName: number | string): Tag | undefined {
    if (typeof idOrName === 'number') return this.tags.get(idOrName);
    const wanted = idOrName.trim().toLowerCase();
    return [...this.tags.values()].find((t) => t.name.toLowerCase() === wanted);
  }

  /** Returns the tag with this name, creating it when missing (Kommo matches names). */
  ensureTag(name: string, color: string | null = null): Tag {
    const existing = this.findTag(name);
    if (existing) return existing;
    const tag: Tag = { id: this.ids('tag'), name: name.trim(), color };
    this.tags.set(tag.id, tag);
    return tag;
  }

  private tagRef(ref: string | number): Tag {
    if (typeof ref === 'string') return this.ensureTag(ref);
    const tag = this.tags.get(ref);
    if (!tag) throw new KommoStoreError('NotSupportedChoice', `Tag ${ref} not found`);
    return tag;
  }

  // ---- leads

  getLead(leadId: number): Lead | undefined {
    const lead = this.leads.get(leadId);
    return lead && !lead.is_deleted ? lead : undefined;
  }

  requireLead(leadId: number): Lead {
    const lead = this.getLead(leadId);
    if (!lead) throw notFound(`Lead ${leadId}`);
    return lead;
  }

  listLeads(): Lead[] {
    return [...this.leads.values()].filter((l) => !l.is_deleted).sort((a, b) => a.id - b.id);
  }

  createLead(input: CreateLeadInput = {}): Lead {
    const at = this.seconds();
    const user = this.account.current_user_id;
    const id = this.ids('lead');
    const lead: Lead = {
      id,
      name: input.name ?? `Lead #${id}`,
      price: input.price ?? 0,
      responsible_user_id: input.responsible_user_id ?? user,
      status_id: input.status_id ?? 1,
      pipeline_id: input.pipeline_id ?? 1,
      created_by: user,
      updated_by: user,
      created_at: at,
      updated_at: at,
      closed_at: null,
      is_deleted: false,
      fields: {},
      tag_ids: [],
    };
    this.leads.set(id, lead);
    try {
      for (const [ref, value] of Object.entries(input.fields ?? {})) {
        this.setFieldValue(id, ref, value);
      }
      for (const tag of input.tags ?? []) this.addTag(id, tag);
    } catch (error) {
      this.leads.delete(id);
      throw error;
    }
    return lead;
  }

  touchLead(lead: Lead, userId = this.account.current_user_id): void {
    lead.updated_at = this.seconds();
    lead.updated_by = userId;
  }

  /** Validates like the API (text ≤ 256 …) unless `validate` is false; null/[] clears. */
  setFieldValue(
    leadId: number,
    fieldRef: number | string,
    input: FieldValueInput,
    validate = true,
  ): FieldValue[] {
    const lead = this.requireLead(leadId);
    const field = this.findField(fieldRef);
    if (!field) {
      throw new KommoStoreError('NotSupportedChoice', `Field ${fieldRef} not found`, 'field_id');
    }
    const limits = validate
      ? this.limits()
      : { textMaxLength: Infinity, textareaMaxLength: Infinity };
    const result = normalizeFieldValues(field, input, limits);
    if (!result.ok) {
      throw new KommoStoreError(
        result.issue.code as 'InvalidValue',
        result.issue.detail,
        result.issue.path,
      );
    }
    this.writeFieldValues(lead, field.id, result.values);
    return result.values;
  }

  /** Stores already-validated values (the API validates a whole batch before writing). */
  writeFieldValues(lead: Lead, fieldId: number, values: FieldValue[]): void {
    if (values.length === 0) delete lead.fields[String(fieldId)];
    else lead.fields[String(fieldId)] = values;
    this.touchLead(lead);
  }

  getFieldValues(leadId: number, fieldRef: number | string): FieldValue[] {
    const field = this.findField(fieldRef);
    if (!field) return [];
    return this.requireLead(leadId).fields[String(field.id)] ?? [];
  }

  addTag(leadId: number, ref: string | number): Tag {
    const lead = this.requireLead(leadId);
    const tag = this.tagRef(ref);
    if (!lead.tag_ids.includes(tag.id)) lead.tag_ids.push(tag.id);
    this.touchLead(lead);
    return tag;
  }

  removeTag(leadId: number, ref: string | number): boolean {
    const lead = this.requireLead(leadId);
    const tag = this.findTag(ref);
    if (!tag || !lead.tag_ids.includes(tag.id)) return false;
    lead.tag_ids = lead.tag_ids.filter((id) => id !== tag.id);
    this.touchLead(lead);
    return true;
  }

  /** Replaces the whole tag set (Kommo's `_embedded.tags` on update). */
  setTags(leadId: number, refs: (string | number)[]): Tag[] {
    const lead = this.requireLead(leadId);
    const tags = refs.map((ref) => this.tagRef(ref));
    lead.tag_ids = [...new Set(tags.map((t) => t.id))];
    this.touchLead(lead);
    return tags;
  }

  leadTags(lead: Lead): Tag[] {
    return lead.tag_ids.map((id) => this.tags.get(id)).filter((t): t is Tag => t !== undefined);
  }

  // ---- notes

  addNote(input: {
    entity_id: number;
    note_type: NoteType;
    params: Record<string, unknown>;
    created_by?: number;
  }): Note {
    this.requireLead(input.entity_id);
    const at = this.seconds();
    const note: Note = {
      id: this.ids('note'),
      entity_id: input.entity_id,
      note_type: input.note_type,
      params: input.params,
      created_by: input.created_by ?? this.account.current_user_id,
      created_at: at,
      updated_at: at,
    };
    this.notes.set(note.id, note);
    return note;
  }

  listNotes(leadId?: number): Note[] {
    return [...this.notes.values()]
      .filter((n) => leadId === undefined || n.entity_id === leadId)
      .sort((a, b) => a.id - b.id);
  }

  // ---- persistence

  snapshot(): AccountDataSnapshot {
    return {
      account: this.account,
      leads: [...this.leads.values()],
      fields: [...this.fields.values()],
      tags: [...this.tags.values()],
      notes: [...this.notes.values()],
      webhooks: this.webhooks.list(),
    };
  }

  restore(snapshot: AccountDataSnapshot): void {
    for (const lead of snapshot.leads) this.leads.set(lead.id, lead);
    for (const field of snapshot.fields) this.fields.set(field.id, field);
    for (const tag of snapshot.tags) this.tags.set(tag.id, tag);
    for (const note of snapshot.notes) this.notes.set(note.id, note);
    this.webhooks.restore(snapshot.webhooks ?? []);
  }
}
