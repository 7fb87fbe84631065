import { describe, expect, it } from 'vitest';
import { extractionPatch, refusedPatchTrace } from './extraction-delivery';

describe('extractionPatch', () => {
  it('adds the values, both stage ids and tags by name; nothing it was not asked for', () => {
    expect(
      extractionPatch({
        customFields: [{ field_id: 1, values: [{ value: 'Ana' }] }],
        move: { pipelineId: 7, statusId: 70 },
        tagsToAdd: ['meeting'],
        tagsToDelete: ['cold'],
        tasks: [],
        note: '',
      }),
    ).toEqual({
      custom_fields_values: [{ field_id: 1, values: [{ value: 'Ana' }] }],
      pipeline_id: 7,
      status_id: 70,
      tags_to_add: [{ name: 'meeting' }],
      tags_to_delete: [{ name: 'cold' }],
    });
    const bare = extractionPatch({
      customFields: [],
      move: null,
      tagsToAdd: [],
      tagsToDelete: [],
      tasks: [],
      note: '',
    });
    expect(bare).toEqual({ custom_fields_values: [] });
  });
});

describe('refusedPatchTrace', () => {
  it('moves what was written to skipped and marks the PATCH actions not done; tasks stay', () => {
    const trace = refusedPatchTrace(
      {
        profile: 'p',
        written: [{ fieldId: 1, name: 'Email', value: 'a@b.c' }],
        skipped: [{ name: 'plan', value: 'X', reason: 'no option' }],
        actions: [
          { kind: 'move', detail: 'Sales › Won', ok: true },
          { kind: 'tag_add', detail: 'x', ok: true },
          { kind: 'task', detail: '"Call"', ok: true },
        ],
      },
      'bad value',
    );
    expect(trace.written).toEqual([]);
    expect(trace.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['plan', 'no option'],
      ['Email', 'Kommo refused the lead update: bad value'],
    ]);
    expect(trace.actions.map((a) => a.ok)).toEqual([false, false, true]);
  });
});
