import { KommoApiError } from './kommo-errors';
import { type KommoBotTask, type KommoContinueTarget } from './kommo-requests';

// Salesbot request shapes (docs/kommo-contract.md §5.2, §4.9).

const CONTINUE_PATH = /\/api\/v4\/(salesbot|marketingbot)\/(\d+)\/continue\/([A-Za-z0-9_-]+)\/?$/;

/** The run body for the v4 (`entity_type: "leads"`) or legacy v2 (`entity_type: 2`) endpoint. */
export function botRunBody(tasks: KommoBotTask[], api: 'v4' | 'v2'): Record<string, unknown>[] {
  return tasks.map((task) => {
    const type = task.entityType ?? 'leads';
    return {
      bot_id: task.botId,
      entity_id: task.entityId,
      // v2 numbers entity types: 1 = contact, 2 = lead.
      entity_type: api === 'v4' ? type : type === 'leads' ? 2 : 1,
    };
  });
}

/**
 * The continue path under our own base URL. A `return_url` is only read for its ids, so the
 * Bearer token never goes to a host named in a request body.
 */
export function continuePath(target: KommoContinueTarget): string {
  if (typeof target !== 'string') {
    const continueId = encodeURIComponent(target.continueId);
    return `/api/v4/${target.kind ?? 'salesbot'}/${target.botId}/continue/${continueId}`;
  }
  let pathname = '';
  try {
    pathname = new URL(target, 'http://relative.invalid').pathname;
  } catch {
    // falls through to the error below
  }
  const match = CONTINUE_PATH.exec(pathname);
  if (!match) {
    throw new KommoApiError({
      kind: 'validation',
      message:
        'Kommo continue: return_url is not /api/v4/{salesbot|marketingbot}/{bot}/continue/{id}',
    });
  }
  return `/api/v4/${match[1]}/${match[2]}/continue/${match[3]}`;
}
