import { type AccountData } from '../account-data.js';
import { normalizeFieldValues, type FieldValueInput } from '../field-values.js';
import { type ValidationError } from '../problems.js';
import { type FieldValue, type KommoSettings, type Lead } from '../types.js';

/** A checked change to one lead: either errors, or an `apply` that cannot fail. */
export type LeadChange = { errors: ValidationError[]; apply: (lead: Lead, userId: number) => void };

type TagRef = { id: number } | { name: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates one lead object of a PATCH/POST body (docs/kommo-contract.md §4.4, §4.6, §9): scalar
 * fields, the stage (`status_id`/`pipeline_id`, §9.2), `responsible_user_id` (a user of the
 * account), `custom_fields_values` by `field_id` or `field_code` (`values: null` clears; `[]` or
 * only empty values leave the field as it was), `_embedded.tags` (replaces the set; wins over the
 * next two), `tags_to_add`, `tags_to_delete` (§9.3). `current` is the lead being updated
 * (undefined when creating one).
 *
 * Nothing is written unless every part is valid: Kommo answers a bad value with 400 and "nothing
 * written" (§9.1, production code: real responses quoted in SDK issues; we are fairly sure for a
 * single lead; for the other items of a batch it is not documented, and we refuse them all).
 */
export function planLeadChange(
  data: AccountData,
  item: Record<string, unknown>,
  limits: KommoSettings['fields'],
  current?: Lead,
): LeadChange {
  const errors: ValidationError[] = [];
  const err = (code: string, path: string, detail: string) => errors.push({ code, path, detail });
  const scalars: Partial<
    Pick<Lead, 'name' | 'price' | 'status_id' | 'pipeline_id' | 'responsible_user_id'>
  > = {};

  if (item.name !== undefined) {
    if (typeof item.name !== 'string') {
      err('InvalidType', 'name', 'This value should be of type string.');
    } else scalars.name = item.name;
  }
  for (const key of ['price', 'status_id', 'pipeline_id', 'responsible_user_id'] as const) {
    const value = item[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      err('InvalidType', key, 'This value should be of type int.');
    } else if (value < 0) err('TooLow', key, 'This value should be greater than or equal to 0.');
    else scalars[key] = value;
  }
  if (
    scalars.responsible_user_id !== undefined &&
    !data.account.users.some((u) => u.id === scalars.responsible_user_id)
  ) {
    // Not documented; an unknown user is refused like any unknown reference (inferred).
    err(
      'NotSupportedChoice',
      'responsible_user_id',
      'The value you selected is not a valid choice.',
    );
  }
  const stage = planStage(data, scalars, current, err);
  delete scalars.status_id;
  delete scalars.pipeline_id;

  const fieldWrites: { fieldId: number; values: FieldValue[] }[] = [];
  const cfv = item.custom_fields_values;
  if (cfv !== undefined && cfv !== null) {
    if (!Array.isArray(cfv)) {
      err('InvalidType', 'custom_fields_values', 'This value should be of type array.');
    } else {
      cfv.forEach((entry: unknown, index) => {
        const base = `custom_fields_values.${index}`;
        if (!isObject(entry)) {
          return err('InvalidType', base, 'This value should be of type object.');
        }
        const byCode = entry.field_id === undefined && entry.field_code !== undefined;
        const ref = byCode ? entry.field_code : entry.field_id;
        const field =
          typeof ref === 'number' || typeof ref === 'string'
            ? data.findField(byCode ? String(ref) : Number(ref))
            : undefined;
        if (!field) {
          return err(
            'NotSupportedChoice',
            `${base}.${byCode ? 'field_code' : 'field_id'}`,
            'The value you selected is not a valid choice.',
          );
        }
        if (entry.values !== null && entry.values !== undefined && !Array.isArray(entry.values)) {
          return err('InvalidType', `${base}.values`, 'This value should be of type array.');
        }
        const result = normalizeFieldValues(
          field,
          (entry.values ?? null) as FieldValueInput,
          limits,
        );
        if (!result.ok) {
          return err(result.issue.code, `${base}.${result.issue.path}`, result.issue.detail);
        }
        // Only `values: null` clears; values that are all empty ('' or null) change nothing
        // (amocrm-api-php issue #352; docs/kommo-contract.md, clearing a field).
        if (entry.values !== null && entry.values !== undefined && result.values.length === 0) {
          return;
        }
        fieldWrites.push({ fieldId: field.id, values: result.values });
      });
    }
  }

  const tagList = (value: unknown, path: string): TagRef[] | null => {
    if (value === null) return [];
    if (!Array.isArray(value)) {
      err('InvalidType', path, 'This value should be of type array.');
      return null;
    }
    const refs: TagRef[] = [];
    value.forEach((tag: unknown, index) => {
      if (isObject(tag) && typeof tag.id === 'number') {
        if (!data.tags.has(tag.id)) {
          err(
            'NotSupportedChoice',
            `${path}.${index}.id`,
            'The value you selected is not a valid choice.',
          );
        } else refs.push({ id: tag.id });
      } else if (isObject(tag) && typeof tag.name === 'string' && tag.name.trim()) {
        refs.push({ name: tag.name });
      } else {
        err('InvalidType', `${path}.${index}`, 'A tag needs an id or a name.');
      }
    });
    return refs;
  };
  const embedded = isObject(item._embedded) ? item._embedded : undefined;
  const replaceTags =
    embedded && 'tags' in embedded ? tagList(embedded.tags, '_embedded.tags') : undefined;
  const addTags =
    replaceTags === undefined && item.tags_to_add !== undefined
      ? tagList(item.tags_to_add, 'tags_to_add')
      : undefined;
  const deleteTags =
    replaceTags === undefined && item.tags_to_delete !== undefined
      ? tagList(item.tags_to_delete, 'tags_to_delete')
      : undefined;

  const tagId = (ref: TagRef) => ('id' in ref ? ref.id : data.ensureTag(ref.name).id);
  return {
    errors,
    apply: (lead, userId) => {
      Object.assign(lead, scalars);
      if (stage) data.moveLead(lead, stage.pipelineId, stage.statusId);
      for (const write of fieldWrites) data.writeFieldValues(lead, write.fieldId, write.values);
      if (replaceTags) lead.tag_ids = [...new Set(replaceTags.map(tagId))];
      if (addTags) lead.tag_ids = [...new Set([...lead.tag_ids, ...addTags.map(tagId)])];
      if (deleteTags) {
        const drop = new Set(
          deleteTags.map((ref) => ('id' in ref ? ref.id : data.findTag(ref.name)?.id)),
        );
        lead.tag_ids = lead.tag_ids.filter((id) => !drop.has(id));
      }
      data.touchLead(lead, userId);
    },
  };
}

/**
 * The stage a lead moves to (docs/kommo-contract.md §9.2). `status_id` must be a stage of the
 * target pipeline: `pipeline_id` when sent, else the lead's own pipeline (the main one for a new
 * lead); otherwise `NotSupportedChoice` at `status_id` (SDK issue #156). An unknown `pipeline_id`
 * gets the same at `pipeline_id`. `pipeline_id` alone puts the lead in that pipeline's first
 * working stage (inferred; the product always sends both ids, SDK issue #440).
 */
function planStage(
  data: AccountData,
  scalars: { status_id?: number; pipeline_id?: number },
  current: Lead | undefined,
  err: (code: string, path: string, detail: string) => void,
): { pipelineId: number; statusId: number } | null {
  const { status_id: statusId, pipeline_id: pipelineId } = scalars;
  if (statusId === undefined && pipelineId === undefined) return null;
  const targetId = pipelineId ?? current?.pipeline_id ?? data.mainPipeline()?.id;
  const pipeline = targetId === undefined ? undefined : data.pipelines.get(targetId);
  if (!pipeline) {
    err('NotSupportedChoice', 'pipeline_id', 'The value you selected is not a valid choice.');
    return null;
  }
  if (statusId === undefined) {
    const first = data.firstWorkingStatus(pipeline);
    return first ? { pipelineId: pipeline.id, statusId: first.id } : null;
  }
  if (!data.findStatus(pipeline.id, statusId)) {
    err('NotSupportedChoice', 'status_id', 'The value you selected is not a valid choice.');
    return null;
  }
  return { pipelineId: pipeline.id, statusId };
}
