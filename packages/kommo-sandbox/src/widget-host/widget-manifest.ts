// Checks manifest.json the way Kommo's widget upload does (docs/kommo-contract.md §6.1–6.2, §6.4).
// Errors block the upload; warnings (e.g. an i18n key that does not resolve) are reported with it.

export type SettingsField = { name: string; type: string; required?: boolean };

export type Manifest = {
  widget: {
    name: string;
    version: string;
    interface_version: number;
    code?: string;
    locale: string[];
    [key: string]: unknown;
  };
  locations: string[];
  settings?: Record<string, SettingsField>;
  advanced?: { title: string };
  salesbot_designer?: Record<string, unknown>;
  tour?: { is_tour: boolean; tour_images: Record<string, string[]>; tour_description: string };
  [key: string]: unknown;
};

export type Findings = { errors: string[]; warnings: string[] };

// Kommo's documented locations; card and list ones take a -0/-1 suffix (init only / right panel).
const LOCATIONS = new Set([
  'settings',
  'advanced_settings',
  'card_sdk',
  'catalogs',
  'digital_pipeline',
  'lead_sources',
  'widget_page',
  'sms',
  'mobile_card',
  'salesbot_designer',
  'website_chat_button',
  'whatsapp_modal',
  'ai_agent',
  'everywhere',
]);
const SUFFIXED_LOCATIONS = new Set(['lcard', 'ccard', 'comcard', 'llist', 'clist', 'tlist']);
const SETTINGS_TYPES = new Set(['text', 'pass', 'users', 'users_lp', 'custom']);
const DESIGNER_TYPES = new Set(['text', 'numeric', 'url']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function isKnownLocation(location: string): boolean {
  const [base, suffix, extra] = location.split('-');
  if (extra !== undefined || base === undefined) return false;
  if (suffix === undefined) return LOCATIONS.has(base) || SUFFIXED_LOCATIONS.has(base);
  return SUFFIXED_LOCATIONS.has(base) && (suffix === '0' || suffix === '1');
}

/** Validates the parsed manifest; returns it typed when there are no errors. */
export function checkManifest(raw: unknown, findings: Findings): Manifest | undefined {
  const { errors } = findings;
  if (!isObject(raw)) {
    errors.push('manifest.json: must be a JSON object');
    return undefined;
  }
  const widget = raw.widget;
  if (!isObject(widget)) {
    errors.push('manifest.json: "widget" object is missing');
  } else {
    for (const key of ['name', 'version'] as const) {
      if (typeof widget[key] !== 'string' || widget[key] === '') {
        errors.push(`manifest.json: widget.${key} must be a non-empty string`);
      }
    }
    if (widget.interface_version !== 2) {
      errors.push('manifest.json: widget.interface_version must be 2');
    }
    const locale = widget.locale;
    if (
      !Array.isArray(locale) ||
      locale.length === 0 ||
      !locale.every((l) => typeof l === 'string')
    ) {
      errors.push('manifest.json: widget.locale must be a non-empty array of language codes');
    }
    if (
      widget.code !== undefined &&
      !(typeof widget.code === 'string' && /^\w+$/.test(widget.code))
    ) {
      errors.push('manifest.json: widget.code must contain only letters, digits and "_"');
    }
  }

  const locations = raw.locations;
  if (!Array.isArray(locations) || locations.length === 0) {
    errors.push('manifest.json: "locations" must be a non-empty array');
  } else {
    for (const location of locations) {
      if (typeof location !== 'string' || !isKnownLocation(location)) {
        errors.push(`manifest.json: unknown location ${JSON.stringify(location)}`);
      }
    }
    if (locations.includes('advanced_settings')) {
      const advanced = raw.advanced;
      if (!isObject(advanced) || typeof advanced.title !== 'string') {
        errors.push('manifest.json: location "advanced_settings" needs "advanced": {"title": …}');
      }
    }
    if (locations.includes('salesbot_designer')) checkDesigner(raw.salesbot_designer, errors);
  }

  if (raw.settings !== undefined) checkSettings(raw.settings, errors);
  checkTour(raw.tour, isObject(widget) ? widget.locale : undefined, errors);
  return errors.length === 0 ? (raw as Manifest) : undefined;
}

/**
 * `tour` is marked required in Kommo's manifest table (docs/kommo-contract.md, the manifest):
 * `is_tour`, images for every locale, and a description (an i18n key, checked with the others).
 */
function checkTour(tour: unknown, locale: unknown, errors: string[]): void {
  if (!isObject(tour)) {
    errors.push(
      'manifest.json: "tour" is required: {"is_tour": true, "tour_images": {"<lang>": ["/images/…png"]}, "tour_description": "…"}',
    );
    return;
  }
  if (typeof tour.is_tour !== 'boolean') {
    errors.push('manifest.json: tour.is_tour must be a boolean');
  }
  if (typeof tour.tour_description !== 'string' || tour.tour_description === '') {
    errors.push('manifest.json: tour.tour_description must be a text or an i18n key');
  }
  const images = tour.tour_images;
  if (!isObject(images)) {
    errors.push('manifest.json: tour.tour_images must map each language to a list of images');
    return;
  }
  for (const lang of Array.isArray(locale) ? locale : []) {
    const list = images[String(lang)];
    if (!Array.isArray(list) || list.length === 0 || !list.every((i) => typeof i === 'string')) {
      errors.push(`manifest.json: tour.tour_images.${String(lang)} must list at least one image`);
    }
  }
}

/** The archive paths of the tour images (`/images/x.png` → `images/x.png`). */
export function tourImagePaths(manifest: Manifest): string[] {
  const images = isObject(manifest.tour) ? manifest.tour.tour_images : undefined;
  if (!isObject(images)) return [];
  const paths = Object.values(images)
    .flat()
    .filter((i): i is string => typeof i === 'string')
    .map((i) => i.replace(/^\//, ''));
  return [...new Set(paths)];
}

function checkSettings(settings: unknown, errors: string[]): void {
  if (!isObject(settings)) {
    errors.push('manifest.json: "settings" must be an object of fields');
    return;
  }
  for (const [key, field] of Object.entries(settings)) {
    if (!isObject(field) || typeof field.name !== 'string') {
      errors.push(`manifest.json: settings.${key} needs a "name"`);
    } else if (typeof field.type !== 'string' || !SETTINGS_TYPES.has(field.type)) {
      errors.push(
        `manifest.json: settings.${key}.type must be one of ${[...SETTINGS_TYPES].join(', ')}`,
      );
    }
  }
}

function checkDesigner(designer: unknown, errors: string[]): void {
  if (!isObject(designer)) {
    errors.push('manifest.json: location "salesbot_designer" needs a "salesbot_designer" object');
    return;
  }
  const handlers = designerHandlers(designer);
  if (handlers.length === 0) {
    errors.push('manifest.json: salesbot_designer declares no handler');
  }
  for (const [code, handler] of handlers) {
    if (!isObject(handler) || typeof handler.name !== 'string') {
      errors.push(`manifest.json: salesbot_designer.${code} needs a "name"`);
      continue;
    }
    if (handler.settings === undefined) continue;
    if (!isObject(handler.settings)) {
      errors.push(`manifest.json: salesbot_designer.${code}.settings must be an object`);
      continue;
    }
    for (const [key, field] of Object.entries(handler.settings)) {
      if (!isObject(field) || typeof field.type !== 'string' || !DESIGNER_TYPES.has(field.type)) {
        errors.push(
          `manifest.json: salesbot_designer.${code}.settings.${key}.type must be text, numeric or url`,
        );
      }
    }
  }
}

/** The handler entries of `salesbot_designer` (every key except `logo`). */
export function designerHandlers(designer: Record<string, unknown>): [string, unknown][] {
  return Object.entries(designer).filter(([key]) => key !== 'logo');
}

/** Reads a dotted key (`settings.api_key`) from an i18n object. */
export function lookupI18n(messages: unknown, key: string): unknown {
  let node: unknown = messages;
  for (const part of key.split('.')) {
    if (!isObject(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** Manifest strings that Kommo treats as i18n keys: warn when a locale lacks one. */
export function checkI18nKeys(
  manifest: Manifest,
  i18n: Record<string, unknown>,
  findings: Findings,
): void {
  const keys = [
    manifest.widget.name,
    manifest.widget.description,
    manifest.widget.short_description,
    isObject(manifest.tour) ? manifest.tour.tour_description : undefined,
  ];
  for (const field of Object.values(manifest.settings ?? {})) keys.push(field.name);
  if (isObject(manifest.salesbot_designer)) {
    for (const [, handler] of designerHandlers(manifest.salesbot_designer)) {
      if (!isObject(handler)) continue;
      keys.push(handler.name);
      if (isObject(handler.settings)) {
        for (const field of Object.values(handler.settings)) {
          if (isObject(field)) keys.push(field.name);
        }
      }
    }
  }
  const looksLikeKey = (value: unknown): value is string =>
    typeof value === 'string' && /^[\w-]+(\.[\w-]+)+$/.test(value);
  for (const [lang, messages] of Object.entries(i18n)) {
    for (const key of keys.filter(looksLikeKey)) {
      if (typeof lookupI18n(messages, key) !== 'string') {
        findings.warnings.push(`i18n/${lang}.json: no text for key "${key}"`);
      }
    }
  }
}
