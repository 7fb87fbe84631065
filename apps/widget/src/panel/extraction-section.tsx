import {
  type ExtractionCatalogResponse,
  type ExtractionItem,
  type ExtractionProfileInput,
  type ExtractionProfileView,
} from '@gpt-bridge/shared';
import { useState } from 'react';
import { ErrorBox } from './error-box';
import { ExtractionRules } from './extraction-rules';
import { usePanel } from './panel-context';
import { useLoad } from './use-load';

type Draft = { name: string; isNew: boolean; input: ExtractionProfileInput };

const emptyItem = (fieldId: number): ExtractionItem => ({
  fieldId,
  name: '',
  instruction: '',
  required: false,
});

/**
 * Extraction profiles (issue 23): which of the account's lead fields the ChatGPT webhook's
 * `?extract=<name>` fills, and the rules that move, tag or add a task. The API checks every field,
 * stage and user against Kommo on save and answers a line per problem.
 */
export function ExtractionSection() {
  const { api, t } = usePanel();
  const [catalog, reloadCatalog] = useLoad(api.extractionCatalog);
  const [profiles, reloadProfiles] = useLoad(api.extractionProfiles);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [saving, setSaving] = useState(false);

  if (catalog.state === 'loading' || profiles.state === 'loading') return <p>{t('loading')}</p>;
  if (catalog.state === 'failed' || profiles.state === 'failed') {
    const failed =
      catalog.state === 'failed' ? catalog.error : (profiles as { error: Error }).error;
    return (
      <section className="gptb-section" aria-labelledby="gptb-extraction">
        <h3 id="gptb-extraction">{t('extraction')}</h3>
        <ErrorBox
          error={failed}
          onRetry={() => {
            reloadCatalog();
            reloadProfiles();
          }}
        />
      </section>
    );
  }
  const usable = catalog.value.fields.filter((f) => f.usable);

  const edit = (profile: ExtractionProfileView | null) => {
    setError(null);
    setDraft(
      profile
        ? {
            name: profile.name,
            isNew: false,
            input: { items: profile.items, rules: profile.rules },
          }
        : { name: '', isNew: true, input: { items: [emptyItem(usable[0]?.id ?? 0)], rules: [] } },
    );
  };
  const run = async (action: () => Promise<unknown>) => {
    setSaving(true);
    setError(null);
    try {
      await action();
      setDraft(null);
      reloadProfiles();
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="gptb-section" aria-labelledby="gptb-extraction">
      <h3 id="gptb-extraction">{t('extraction')}</h3>
      <p className="gptb-intro">{t('extractionIntro')}</p>
      {profiles.value.profiles.length === 0 && <p className="gptb-muted">{t('extractionNone')}</p>}
      <ul data-testid="gptb-extraction-profiles">
        {profiles.value.profiles.map((profile) => (
          <li key={profile.name} className="gptb-row">
            <code>?extract={profile.name}</code>
            <span className="gptb-muted">
              {t('extractionCounts', { items: profile.items.length, rules: profile.rules.length })}
            </span>
            <button type="button" onClick={() => edit(profile)}>
              {t('extractionEdit')}
            </button>
            <button
              type="button"
              disabled={saving}
              onClick={() => void run(() => api.deleteExtractionProfile(profile.name))}
            >
              {t('extractionDelete')}
            </button>
          </li>
        ))}
      </ul>
      {!draft && (
        <button type="button" disabled={usable.length === 0} onClick={() => edit(null)}>
          {t('extractionAdd')}
        </button>
      )}
      {usable.length === 0 && <p className="gptb-muted">{t('extractionNoFields')}</p>}
      {draft && (
        <ProfileEditor
          draft={draft}
          catalog={catalog.value}
          saving={saving}
          onChange={setDraft}
          onCancel={() => setDraft(null)}
          onSave={() => void run(() => api.saveExtractionProfile(draft.name, draft.input))}
        />
      )}
      {error && <ErrorBox error={error} />}
    </section>
  );
}

function ProfileEditor(props: {
  draft: Draft;
  catalog: ExtractionCatalogResponse;
  saving: boolean;
  onChange: (draft: Draft) => void;
  onCancel: () => void;
  onSave: () => void;
}) {
  const { t } = usePanel();
  const { draft, catalog, onChange } = props;
  const usable = catalog.fields.filter((f) => f.usable);
  const setInput = (input: ExtractionProfileInput) => onChange({ ...draft, input });
  const setItem = (index: number, change: Partial<ExtractionItem>) =>
    setInput({
      ...draft.input,
      items: draft.input.items.map((item, i) => (i === index ? { ...item, ...change } : item)),
    });

  return (
    <div className="gptb-editor" data-testid="gptb-extraction-editor">
      <label htmlFor="gptb-extraction-name">{t('extractionName')}</label>
      <input
        id="gptb-extraction-name"
        value={draft.name}
        disabled={!draft.isNew}
        placeholder="lead-info"
        onChange={(e) => onChange({ ...draft, name: e.target.value.trim().toLowerCase() })}
      />
      <h4>{t('extractionItems')}</h4>
      <table>
        <thead>
          <tr>
            <th>{t('extractionField')}</th>
            <th>{t('extractionItemName')}</th>
            <th>{t('extractionInstruction')}</th>
            <th>{t('extractionRequired')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {draft.input.items.map((item, index) => (
            <tr key={index}>
              <td>
                <select
                  aria-label={t('extractionField')}
                  value={item.fieldId}
                  onChange={(e) => setItem(index, { fieldId: Number(e.target.value) })}
                >
                  {usable.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.name} ({f.type})
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  aria-label={t('extractionItemName')}
                  value={item.name}
                  placeholder="email"
                  onChange={(e) => setItem(index, { name: e.target.value })}
                />
              </td>
              <td>
                <input
                  aria-label={t('extractionInstruction')}
                  value={item.instruction}
                  onChange={(e) => setItem(index, { instruction: e.target.value })}
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={t('extractionRequired')}
                  checked={item.required}
                  onChange={(e) => setItem(index, { required: e.target.checked })}
                />
              </td>
              <td>
                <button
                  type="button"
                  disabled={draft.input.items.length === 1}
                  onClick={() =>
                    setInput({
                      ...draft.input,
                      items: draft.input.items.filter((_, i) => i !== index),
                    })
                  }
                >
                  {t('extractionRemove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        onClick={() =>
          setInput({ ...draft.input, items: [...draft.input.items, emptyItem(usable[0]?.id ?? 0)] })
        }
      >
        {t('extractionAddItem')}
      </button>
      <ExtractionRules
        catalog={catalog}
        itemNames={draft.input.items.map((i) => i.name).filter(Boolean)}
        rules={draft.input.rules}
        onChange={(rules) => setInput({ ...draft.input, rules })}
      />
      <div className="gptb-row">
        <button
          type="button"
          className="gptb-primary"
          disabled={props.saving || draft.name === ''}
          onClick={props.onSave}
        >
          {props.saving ? t('saving') : t('save')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('cancel')}
        </button>
      </div>
    </div>
  );
}
