import {
  type ExtractionItem,
  type ExtractionRule,
  type LeadExtractionTrace,
} from '@gpt-bridge/shared';
import { type KommoLeadFieldInput } from '../../integrations/kommo/kommo-requests';
import { type CatalogField } from './field-values';

export type CatalogPipeline = {
  id: number;
  name: string;
  statuses: { id: number; name: string }[];
};
export type CatalogUser = { id: number; name: string; active: boolean };

/** What the account's Kommo says exists: fields, stages and users (null: not readable). */
export type AccountCatalog = {
  fields: CatalogField[];
  pipelines: CatalogPipeline[];
  users: CatalogUser[] | null;
};

export type ProfileDefinition = { name: string; items: ExtractionItem[]; rules: ExtractionRule[] };

/** A task the delivery creates; `responsibleUserId` is already checked against the users. */
export type PlannedTask = {
  text: string;
  /** Unix seconds. */
  completeTill: number;
  taskTypeId: number;
  responsibleUserId: number;
};

/**
 * What the delivery sends for an extraction, stored with the outcome before anything reaches
 * Kommo (so a retried delivery sends the same): the lead's values, stage and tags go in the answer's
 * PATCH, tasks in one `POST /api/v4/tasks`, the summary in one note.
 */
export type ExtractionWrites = {
  customFields: KommoLeadFieldInput[];
  move: { pipelineId: number; statusId: number } | null;
  tagsToAdd: string[];
  tagsToDelete: string[];
  tasks: PlannedTask[];
  note: string;
};

/** The model's answer turned into the lead's changes, the trace and the LOG summary. */
export type ExtractionPlan = {
  answer: string;
  trace: LeadExtractionTrace;
  writes: ExtractionWrites;
  /** Appended to `ok` in LOG: what was written, skipped and done. */
  logSummary: string;
};
