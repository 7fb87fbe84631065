import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DEFAULT_TOKEN_SHAPE, type TokenShape } from './widget-token.js';
import { BotScriptError, parseBotScript } from '../salesbot/bot-schema.js';
import {
  checkWidgetFiles,
  readWidgetArchive,
  type ArchiveResult,
  type WidgetPackage,
} from './widget-archive.js';

/** Where a widget came from; `file` and `dir` are re-read when their `stamp` changes. */
export type WidgetSource =
  { kind: 'upload' } | { kind: 'file' | 'dir'; path: string; stamp: string };

export type HostedWidget = WidgetPackage & {
  code: string;
  loadedAt: number;
  source: WidgetSource;
  /** Set when a rebuilt zip on disk failed to reload; the previous version keeps serving. */
  reloadErrors: string[];
};

export type LoadResult =
  { ok: true; widget: HostedWidget } | { ok: false; errors: string[]; warnings: string[] };

/** What Kommo keeps per account for an installed widget. */
export type AccountWidgetSettings = {
  values: Record<string, unknown>;
  active: boolean;
  installed: boolean;
  saved_at: number | null;
};

/** A block saved in the salesbot designer: what onSalesbotDesignerSave returned. */
export type DesignerBlock = {
  account_id: number;
  widget_code: string;
  handler_code: string;
  params: Record<string, unknown>;
  source: string;
  valid_json: boolean;
  error: string | null;
  saved_at: number;
};

// Used when neither the upload nor manifest.json names the widget (Kommo generates one).
export const DEFAULT_WIDGET_CODE = 'sandbox_widget';

export class WidgetRegistry {
  private readonly widgets = new Map<string, HostedWidget>();
  private latest: string | undefined;
  private readonly settings = new Map<string, AccountWidgetSettings>();
  private readonly blocks: DesignerBlock[] = [];
  /** Requests the echo endpoint saw (newest last, capped). */
  readonly echoes: Record<string, unknown>[] = [];
  /** How tokens are typed when a request does not say (`PUT /_sandbox/widget-host/token-shape`). */
  tokenShape: TokenShape = DEFAULT_TOKEN_SHAPE;

  constructor(private readonly now: () => number) {}

  load(zip: Uint8Array, options: { code?: string; source?: WidgetSource } = {}): LoadResult {
    return this.accept(readWidgetArchive(zip), options.code, options.source ?? { kind: 'upload' });
  }

  /** Loads a zip from disk and remembers the path, so a rebuilt zip is picked up on next use. */
  loadFile(path: string, code?: string): LoadResult {
    const absolute = resolve(path);
    try {
      const stamp = stampOf([absolute]);
      return this.load(readFileSync(absolute), {
        code,
        source: { kind: 'file', path: absolute, stamp },
      });
    } catch (error) {
      return {
        ok: false,
        errors: [`cannot read ${absolute}: ${(error as Error).message}`],
        warnings: [],
      };
    }
  }

  /** Loads an unpacked widget folder (its contents are the archive root), re-read when it changes. */
  loadDir(path: string, code?: string): LoadResult {
    const absolute = resolve(path);
    try {
      const paths = listFiles(absolute);
      const files = new Map(
        paths.map((file) => [relative(absolute, file).split('\\').join('/'), readFileSync(file)]),
      );
      const source: WidgetSource = { kind: 'dir', path: absolute, stamp: stampOf(paths) };
      return this.accept(checkWidgetFiles(files), code, source);
    } catch (error) {
      return {
        ok: false,
        errors: [`cannot read ${absolute}: ${(error as Error).message}`],
        warnings: [],
      };
    }
  }

  private accept(
    result: ArchiveResult,
    code: string | undefined,
    source: WidgetSource,
  ): LoadResult {
    if (!result.ok) return result;
    const widget: HostedWidget = {
      ...result.widget,
      code: code ?? result.widget.manifest.widget.code ?? DEFAULT_WIDGET_CODE,
      loadedAt: this.now(),
      source,
      reloadErrors: [],
    };
    this.widgets.set(widget.code, widget);
    this.latest = widget.code;
    return { ok: true, widget };
  }

  /** The widget by code (default: the last one loaded), reloaded first if its files changed. */
  get(code?: string): HostedWidget | undefined {
    const widget = this.widgets.get(code ?? this.latest ?? '');
    if (!widget || widget.source.kind === 'upload') return widget;
    const { kind, path, stamp } = widget.source;
    let current: string;
    try {
      current = stampOf(kind === 'file' ? [path] : listFiles(path));
    } catch {
      return widget;
    }
    if (current === stamp) return widget;
    const result =
      kind === 'file' ? this.loadFile(path, widget.code) : this.loadDir(path, widget.code);
    if (result.ok) return result.widget;
    // A half-written zip fails too: keep serving the old one and retry on the next request.
    widget.reloadErrors = result.errors;
    return widget;
  }

  list(): HostedWidget[] {
    return [...this.widgets.keys()].flatMap((code) => this.get(code) ?? []);
  }

  remove(code: string): boolean {
    const removed = this.widgets.delete(code);
    if (this.latest === code) this.latest = [...this.widgets.keys()].at(-1);
    return removed;
  }

  getSettings(accountId: number, code: string): AccountWidgetSettings {
    return (
      this.settings.get(`${accountId}:${code}`) ?? {
        values: {},
        active: false,
        installed: false,
        saved_at: null,
      }
    );
  }

  saveSettings(
    accountId: number,
    code: string,
    patch: { values?: Record<string, unknown>; active?: boolean },
  ): AccountWidgetSettings {
    const current = this.getSettings(accountId, code);
    const active = patch.active ?? true;
    const next: AccountWidgetSettings = {
      values: { ...current.values, ...patch.values },
      active,
      installed: current.installed || active,
      saved_at: this.now(),
    };
    this.settings.set(`${accountId}:${code}`, next);
    return next;
  }

  addBlock(block: Omit<DesignerBlock, 'valid_json' | 'error' | 'saved_at'>): DesignerBlock {
    const error = checkBotJson(block.source);
    const saved: DesignerBlock = {
      ...block,
      valid_json: error === null,
      error,
      saved_at: this.now(),
    };
    this.blocks.push(saved);
    return saved;
  }

  listBlocks(accountId?: number): DesignerBlock[] {
    return this.blocks.filter((block) => accountId === undefined || block.account_id === accountId);
  }

  clearBlocks(): void {
    this.blocks.length = 0;
  }

  addEcho(record: Record<string, unknown>): void {
    this.echoes.push(record);
    if (this.echoes.length > 50) this.echoes.shift();
  }

  /** `POST /_sandbox/reset`: accounts (and their ids) are gone; uploaded widgets stay. */
  resetAccountState(): void {
    this.settings.clear();
    this.blocks.length = 0;
    this.echoes.length = 0;
    this.tokenShape = DEFAULT_TOKEN_SHAPE;
  }
}

/**
 * Why a designer block's source is not a usable bot script, or null when it is. Uses the salesbot
 * engine's parser, so a block that passes here also runs in the sandbox's salesbot.
 */
export function checkBotJson(source: string): string | null {
  try {
    parseBotScript(source);
    return null;
  } catch (error) {
    if (error instanceof BotScriptError) return error.message;
    throw error;
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

// Cheap change detection: names, sizes and modification times.
function stampOf(paths: string[]): string {
  return paths
    .map((path) => {
      const stat = statSync(path);
      return `${path}:${stat.size}:${stat.mtimeMs}`;
    })
    .join('|');
}
