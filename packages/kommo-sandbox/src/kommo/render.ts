import { type AccountData } from './account-data.js';
import {
  type CustomField,
  type Lead,
  type Note,
  type Pipeline,
  type PipelineStatus,
  type Tag,
  type Task,
} from './types.js';

// API v4 representations of stored records (docs/kommo-contract.md §4.4–4.8).

export function renderLead(
  data: AccountData,
  lead: Lead,
  baseUrl: string,
): Record<string, unknown> {
  const values = Object.entries(lead.fields).flatMap(([fieldId, fieldValues]) => {
    const field = data.fields.get(Number(fieldId));
    if (!field || fieldValues.length === 0) return [];
    return [
      {
        field_id: field.id,
        field_name: field.name,
        field_code: field.code,
        field_type: field.type,
        values: fieldValues.map((v) => ({ ...v })),
      },
    ];
  });
  return {
    id: lead.id,
    name: lead.name,
    price: lead.price,
    responsible_user_id: lead.responsible_user_id,
    group_id: 0,
    status_id: lead.status_id,
    pipeline_id: lead.pipeline_id,
    loss_reason_id: null,
    created_by: lead.created_by,
    updated_by: lead.updated_by,
    created_at: lead.created_at,
    updated_at: lead.updated_at,
    closed_at: lead.closed_at,
    closest_task_at: data.closestTaskAt(lead.id),
    is_deleted: lead.is_deleted,
    // Kommo sends null, not [], when a lead has no field values.
    custom_fields_values: values.length > 0 ? values : null,
    score: null,
    account_id: data.account.id,
    labor_cost: null,
    _links: { self: { href: `${baseUrl}/api/v4/leads/${lead.id}` } },
    _embedded: { tags: data.leadTags(lead).map((t) => renderTag(t)), companies: [] },
  };
}

export function renderTag(tag: Tag): Record<string, unknown> {
  return { id: tag.id, name: tag.name, color: tag.color };
}

export function renderField(
  accountId: number,
  field: CustomField,
  baseUrl: string,
): Record<string, unknown> {
  return {
    id: field.id,
    name: field.name,
    type: field.type,
    account_id: accountId,
    code: field.code,
    sort: field.sort,
    is_api_only: field.is_api_only,
    enums: field.enums,
    group_id: field.group_id,
    required_statuses: field.required_statuses,
    is_deletable: field.is_deletable,
    is_predefined: field.is_predefined,
    entity_type: field.entity_type,
    remind: null,
    _links: { self: { href: `${baseUrl}/api/v4/leads/custom_fields/${field.id}` } },
  };
}

export function renderNote(
  accountId: number,
  note: Note,
  baseUrl: string,
): Record<string, unknown> {
  return {
    id: note.id,
    entity_id: note.entity_id,
    created_by: note.created_by,
    updated_by: note.created_by,
    created_at: note.created_at,
    updated_at: note.updated_at,
    responsible_user_id: note.created_by,
    group_id: 0,
    note_type: note.note_type,
    params: note.params,
    account_id: accountId,
    _links: { self: { href: `${baseUrl}/api/v4/leads/${note.entity_id}/notes/${note.id}` } },
  };
}

/** A stage as `GET /api/v4/leads/pipelines/{id}/statuses` shows it (§9.2). */
export function renderStatus(
  accountId: number,
  status: PipelineStatus,
  baseUrl: string,
): Record<string, unknown> {
  return {
    ...status,
    account_id: accountId,
    _links: {
      self: {
        href: `${baseUrl}/api/v4/leads/pipelines/${status.pipeline_id}/statuses/${status.id}`,
      },
    },
  };
}

/** A pipeline as `GET /api/v4/leads/pipelines` shows it, statuses embedded (§9.2). */
export function renderPipeline(
  accountId: number,
  pipeline: Pipeline,
  baseUrl: string,
): Record<string, unknown> {
  const { statuses, ...rest } = pipeline;
  return {
    ...rest,
    account_id: accountId,
    _links: { self: { href: `${baseUrl}/api/v4/leads/pipelines/${pipeline.id}` } },
    _embedded: {
      statuses: [...statuses]
        .sort((a, b) => a.sort - b.sort)
        .map((s) => renderStatus(accountId, s, baseUrl)),
    },
  };
}

/** A task as `GET /api/v4/tasks` shows it (§9.4). */
export function renderTask(
  accountId: number,
  task: Task,
  baseUrl: string,
): Record<string, unknown> {
  return {
    ...task,
    group_id: 0,
    account_id: accountId,
    _links: { self: { href: `${baseUrl}/api/v4/tasks/${task.id}` } },
  };
}
