import { type LeadExtractionTrace } from '@gpt-bridge/shared';
import { type KommoClient } from '../../../integrations/kommo/kommo-client';
import { KommoApiError } from '../../../integrations/kommo/kommo-errors';
import { type KommoLeadPatch } from '../../../integrations/kommo/kommo-requests';
import { type ExtractionWrites } from '../../extraction/extraction.types';

/**
 * What an extraction adds to the answer's PATCH: its field values, the stage (both ids,
 * docs/kommo-contract.md §9.2) and tags by name with `tags_to_add`/`tags_to_delete`, never
 * `_embedded.tags`, so the users' own tags stay (§9.3).
 */
export function extractionPatch(writes: ExtractionWrites): Omit<
  KommoLeadPatch,
  'custom_fields_values'
> & {
  custom_fields_values: NonNullable<KommoLeadPatch['custom_fields_values']>;
} {
  return {
    custom_fields_values: writes.customFields,
    ...(writes.move
      ? { pipeline_id: writes.move.pipelineId, status_id: writes.move.statusId }
      : {}),
    ...(writes.tagsToAdd.length ? { tags_to_add: writes.tagsToAdd.map((name) => ({ name })) } : {}),
    ...(writes.tagsToDelete.length
      ? { tags_to_delete: writes.tagsToDelete.map((name) => ({ name })) }
      : {}),
  };
}

/** The trace after Kommo refused the PATCH that carried the extraction: none of it landed. */
export function refusedPatchTrace(trace: LeadExtractionTrace, why: string): LeadExtractionTrace {
  const reason = `Kommo refused the lead update: ${why}`;
  return {
    ...trace,
    written: [],
    skipped: [
      ...trace.skipped,
      ...trace.written.map((w) => ({ name: w.name, value: w.value, reason })),
    ],
    actions: trace.actions.map((a) =>
      a.kind === 'task' || !a.ok ? a : { ...a, ok: false, detail: `${a.detail} (${reason})` },
    ),
  };
}

/**
 * The extraction's tasks (one `POST /api/v4/tasks`) and its note, after the PATCH. On a retried
 * delivery a task whose text is already open on the lead is not created again. A refusal for good
 * is recorded in the trace and the note; the answer stays delivered.
 */
export async function sendTasksAndNote(
  client: KommoClient,
  leadId: number,
  writes: ExtractionWrites,
  trace: LeadExtractionTrace,
  retried: boolean,
): Promise<LeadExtractionTrace> {
  let tasks = writes.tasks;
  let next = trace;
  if (tasks.length && retried) {
    const open = new Set((await client.listOpenLeadTasks(leadId)).map((t) => t.text));
    tasks = tasks.filter((t) => !open.has(t.text));
  }
  const noteLines = [writes.note];
  if (tasks.length) {
    try {
      await client.createTasks(
        tasks.map((t) => ({
          text: t.text,
          complete_till: t.completeTill,
          entity_id: leadId,
          entity_type: 'leads',
          task_type_id: t.taskTypeId,
          responsible_user_id: t.responsibleUserId,
        })),
      );
    } catch (error) {
      if (!(error instanceof KommoApiError) || error.retryable) throw error;
      const why = `Kommo refused the task: ${error.message}`.slice(0, 200);
      next = {
        ...next,
        actions: next.actions.map((a) =>
          a.kind === 'task' && a.ok ? { ...a, ok: false, detail: `${a.detail} (${why})` } : a,
        ),
      };
      noteLines.push(`✗ ${why}`);
    }
  }
  try {
    await client.addLeadNotes([
      { entity_id: leadId, note_type: 'common', params: { text: noteLines.join('\n') } },
    ]);
  } catch (error) {
    // The note repeats what LOG and the trace hold; losing it must not fail a delivered answer.
    if (!(error instanceof KommoApiError) || error.retryable) throw error;
  }
  return next;
}
