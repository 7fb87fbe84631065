import { type AccountData, type CreateFieldInput, type CreateLeadInput } from './account-data.js';
import { type FieldValueInput } from './field-values.js';
import {
  type CustomField,
  type FieldValue,
  type Lead,
  type Note,
  type NoteType,
  type Tag,
} from './types.js';

/**
 * The store's per-account shortcuts (leads, lead fields, tags, notes) that other sandbox parts
 * call as `context.kommo.getLead(accountId, leadId)` etc. Each mutation notifies `changed()`.
 */
export abstract class LeadShortcuts {
  /** Per-account data; throws KommoStoreError NotFound for an unknown account. */
  abstract data(accountId: number): AccountData;
  abstract changed(): void;

  // ---- leads

  getLead(accountId: number, leadId: number): Lead | undefined {
    return this.maybeData(accountId)?.getLead(leadId);
  }

  listLeads(accountId: number): Lead[] {
    return this.data(accountId).listLeads();
  }

  createLead(accountId: number, input: CreateLeadInput = {}): Lead {
    return this.mutate(() => this.data(accountId).createLead(input));
  }

  /** Sets a lead field by id or code; validates like the API unless `validate: false`. Throws KommoStoreError. */
  setLeadFieldValue(
    accountId: number,
    leadId: number,
    field: number | string,
    value: FieldValueInput,
    options: { validate?: boolean } = {},
  ): FieldValue[] {
    return this.mutate(() =>
      this.data(accountId).setFieldValue(leadId, field, value, options.validate ?? true),
    );
  }

  /** The first value of a lead field (by id or code) or null. */
  getLeadFieldValue(
    accountId: number,
    leadId: number,
    field: number | string,
  ): string | number | boolean | null {
    return this.getLeadFieldValues(accountId, leadId, field)[0]?.value ?? null;
  }

  getLeadFieldValues(accountId: number, leadId: number, field: number | string): FieldValue[] {
    return this.data(accountId).getFieldValues(leadId, field);
  }

  addTagToLead(accountId: number, leadId: number, tag: string | number): Tag {
    return this.mutate(() => this.data(accountId).addTag(leadId, tag));
  }

  removeTagFromLead(accountId: number, leadId: number, tag: string | number): boolean {
    return this.mutate(() => this.data(accountId).removeTag(leadId, tag));
  }

  getLeadTags(accountId: number, leadId: number): Tag[] {
    const data = this.data(accountId);
    return data.leadTags(data.requireLead(leadId));
  }

  // ---- custom fields, tags, notes

  listCustomFields(accountId: number): CustomField[] {
    return this.data(accountId).listFields();
  }

  getCustomField(accountId: number, field: number | string): CustomField | undefined {
    return this.maybeData(accountId)?.findField(field);
  }

  createCustomField(accountId: number, input: CreateFieldInput): CustomField {
    return this.mutate(() => this.data(accountId).createField(input));
  }

  deleteCustomField(accountId: number, fieldId: number): void {
    this.mutate(() => this.data(accountId).deleteField(fieldId));
  }

  listTags(accountId: number): Tag[] {
    return this.data(accountId).listTags();
  }

  addNote(
    accountId: number,
    input: {
      entity_id: number;
      note_type: NoteType;
      params: Record<string, unknown>;
      created_by?: number;
    },
  ): Note {
    return this.mutate(() => this.data(accountId).addNote(input));
  }

  listNotes(accountId: number, leadId?: number): Note[] {
    return this.data(accountId).listNotes(leadId);
  }

  private maybeData(accountId: number): AccountData | undefined {
    try {
      return this.data(accountId);
    } catch {
      return undefined;
    }
  }

  protected mutate<T>(action: () => T): T {
    const result = action();
    this.changed();
    return result;
  }
}
