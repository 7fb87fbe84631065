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
  type Pipeline,
  type PipelineStatus,
  STATUS_LOST,
  STATUS_WON,
  type Tag,
  type Task,
  type TaskType,
} from './types.js';
import { AccountWebhooks, type Webhook } from './webhooks/subscriptions.js';

/** Hands out ids; shared by all accounts so ids are unique in the sandbox, like Kommo's. */
export type IdSource = (
  kind:
    | 'account'
    | 'lead'
    | 'field'
    | 'tag'
    | 'note'
    | 'enum'
    | 'user'
    | 'pipeline'
    | 'status'
    | 'task'
    | 'webhook',
) => number;

export type CreatePipelineInput = {
  name: string;
  sort?: number;
  is_main?: boolean;
  /** The working stages in order; the "incoming leads" stage and 142/143 are added. */
  statuses?: { name: string; color?: string }[];
};

export type CreateTaskInput = {
  text: string;
  complete_till: number;
  entity_id?: number | null;
  task_type_id?: number;
  responsible_user_id?: number;
  duration?: number;
  created_by?: number;
};

export type TaskFilter = {
  ids?: Set<number>;
  entity_ids?: Set<number>;
  responsible_user_ids?: Set<number>;
  task_type_ids?: Set<number>;
  is_completed?: boolean;
};

// Kommo's stage palette; the won/lost colours are the system ones.
const STAGE_COLORS = ['#99ccff', '#ffff99', '#ffcc66', '#ffcccc', '#ccc8f9', '#deff81'];
const DEFAULT_STAGES = ['Initial contact', 'Discussions', 'Decision making', 'Contract discussion'];
/** Task types 1 and 2 exist in every account (docs/kommo-contract.md §9.4). */
const DEFAULT_TASK_TYPES: TaskType[] = [
  { id: 1, name: 'Follow-up', code: 'FOLLOW_UP', color: null },
  { id: 2, name: 'Meeting', code: 'MEETING', color: null },
];

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
  /** Missing in snapshots from before pipelines and tasks existed (they are then seeded). */
  pipelines?: Pipeline[];
  tasks?: Task[];
  task_types?: TaskType[];
};

/**
 * Everything one account holds: leads, lead custom fields, lead tags, lead notes, pipelines with
 * their statuses, tasks and task types.
 */
export class AccountData {
  readonly leads = new Map<number, Lead>();
  readonly fields = new Map<number, CustomField>();
  readonly tags = new Map<number, Tag>();
  readonly notes = new Map<number, Note>();
  readonly webhooks: AccountWebhooks;
  readonly pipelines = new Map<number, Pipeline>();
  readonly tasks = new Map<number, Task>();
  taskTypes: TaskType[] = DEFAULT_TASK_TYPES.map((t) => ({ ...t }));

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

  // ---- pipelines and statuses (docs/kommo-contract.md §9.2)

  listPipelines(): Pipeline[] {
    return [...this.pipelines.values()].sort((a, b) => a.sort - b.sort || a.id - b.id);
  }

  mainPipeline(): Pipeline | undefined {
    return this.listPipelines().find((p) => p.is_main) ?? this.listPipelines()[0];
  }

  /**
   * Adds a pipeline: its "incoming leads" stage (type 1), the working stages given (or Kommo's
   * default four), then 142 and 143, which carry the same ids in every pipeline.
   */
  createPipeline(input: CreatePipelineInput): Pipeline {
    if (this.pipelines.size >= 50) {
      throw new KommoStoreError('InvalidValue', 'At most 50 pipelines per account');
    }
    const id = this.ids('pipeline');
    const isMain = input.is_main ?? this.pipelines.size === 0;
    if (isMain) for (const other of this.pipelines.values()) other.is_main = false;
    const working: { name: string; color?: string }[] =
      input.statuses ?? DEFAULT_STAGES.map((name) => ({ name }));
    const status = (
      statusId: number,
      name: string,
      sort: number,
      color: string,
      type: 0 | 1 = 0,
      editable = true,
    ): PipelineStatus => ({
      id: statusId,
      name,
      sort,
      is_editable: editable,
      pipeline_id: id,
      color,
      type,
    });
    const pipeline: Pipeline = {
      id,
      name: input.name,
      sort: input.sort ?? (this.pipelines.size + 1) * 10,
      is_main: isMain,
      is_unsorted_on: true,
      is_archive: false,
      statuses: [
        status(this.ids('status'), 'Incoming leads', 10, '#c1c1c1', 1, false),
        ...working.map((stage, index) =>
          status(
            this.ids('status'),
            stage.name,
            (index + 2) * 10,
            stage.color ?? STAGE_COLORS[index % STAGE_COLORS.length] ?? '#99ccff',
          ),
        ),
        status(STATUS_WON, 'Closed - won', 10_000, '#CCFF66', 0, false),
        status(STATUS_LOST, 'Closed - lost', 11_000, '#D5D8DB', 0, false),
      ],
    };
    this.pipelines.set(id, pipeline);
    return pipeline;
  }

  /** Every new account has one main pipeline, as in Kommo. */
  seedPipelines(): void {
    if (this.pipelines.size === 0) this.createPipeline({ name: 'Sales pipeline', is_main: true });
  }

  /** The first working stage (not "incoming leads", not won/lost): where a new lead lands. */
  firstWorkingStatus(pipeline: Pipeline): PipelineStatus | undefined {
    return (
      pipeline.statuses.find((s) => s.type === 0 && s.id !== STATUS_WON && s.id !== STATUS_LOST) ??
      pipeline.statuses[0]
    );
  }

  findStatus(pipelineId: number, statusId: number): PipelineStatus | undefined {
    return this.pipelines.get(pipelineId)?.statuses.find((s) => s.id === statusId);
  }

  /** Sets a lead's stage; closed_at follows won/lost. Callers validate the ids first. */
  moveLead(lead: Lead, pipelineId: number, statusId: number): void {
    const closing = statusId === STATUS_WON || statusId === STATUS_LOST;
    if (closing && lead.closed_at === null) lead.closed_at = this.seconds();
    if (!closing) lead.closed_at = null;
    lead.pipeline_id = pipelineId;
    lead.status_id = statusId;
  }

  // ---- tasks (docs/kommo-contract.md §9.4)

  createTask(input: CreateTaskInput): Task {
    if (input.entity_id !== undefined && input.entity_id !== null) {
      this.requireLead(input.entity_id);
    }
    const at = this.seconds();
    const author = input.created_by ?? this.account.current_user_id;
    const task: Task = {
      id: this.ids('task'),
      text: input.text,
      complete_till: input.complete_till,
      duration: input.duration ?? 0,
      entity_id: input.entity_id ?? null,
      entity_type: input.entity_id === undefined || input.entity_id === null ? null : 'leads',
      task_type_id: input.task_type_id ?? 1,
      responsible_user_id: input.responsible_user_id ?? author,
      is_completed: false,
      result: null,
      created_by: author,
      updated_by: author,
      created_at: at,
      updated_at: at,
    };
    this.tasks.set(task.id, task);
    return task;
  }

  listTasks(filter: TaskFilter = {}): Task[] {
    return [...this.tasks.values()]
      .filter(
        (t) =>
          (!filter.ids || filter.ids.has(t.id)) &&
          (!filter.entity_ids || (t.entity_id !== null && filter.entity_ids.has(t.entity_id))) &&
          (!filter.responsible_user_ids ||
            filter.responsible_user_ids.has(t.responsible_user_id)) &&
          (!filter.task_type_ids || filter.task_type_ids.has(t.task_type_id)) &&
          (filter.is_completed === undefined || t.is_completed === filter.is_completed),
      )
      .sort((a, b) => a.complete_till - b.complete_till || a.id - b.id);
  }

  /** Kommo's `closest_task_at` on a lead: the earliest deadline of its open tasks. */
  closestTaskAt(leadId: number): number | null {
    const open = this.listTasks({ entity_ids: new Set([leadId]), is_completed: false });
    return open[0]?.complete_till ?? null;
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
      status_id: input.status_id ?? this.defaultStatusId(input.pipeline_id),
      pipeline_id: input.pipeline_id ?? this.mainPipeline()?.id ?? 0,
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

  // A lead created without a stage lands in the first working stage of its pipeline (the main
  // one unless named).
  private defaultStatusId(pipelineId?: number): number {
    const pipeline =
      pipelineId === undefined ? this.mainPipeline() : this.pipelines.get(pipelineId);
    return (pipeline && this.firstWorkingStatus(pipeline)?.id) ?? 0;
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
    if (input.entity_id !== undefined && input.entity_id !== null) {
      this.requireLead(input.entity_id);
    }
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
      pipelines: [...this.pipelines.values()],
      tasks: [...this.tasks.values()],
      task_types: this.taskTypes,
    };
  }

  restore(snapshot: AccountDataSnapshot): void {
    for (const lead of snapshot.leads) this.leads.set(lead.id, lead);
    for (const field of snapshot.fields) this.fields.set(field.id, field);
    for (const tag of snapshot.tags) this.tags.set(tag.id, tag);
    for (const note of snapshot.notes) this.notes.set(note.id, note);
    this.webhooks.restore(snapshot.webhooks ?? []);
    for (const pipeline of snapshot.pipelines ?? []) this.pipelines.set(pipeline.id, pipeline);
    for (const task of snapshot.tasks ?? []) this.tasks.set(task.id, task);
    if (snapshot.task_types) this.taskTypes = snapshot.task_types;
    this.seedPipelines();
  }
}
