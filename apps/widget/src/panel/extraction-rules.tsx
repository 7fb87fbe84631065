import {
  EXTRACTION_ANSWER_KEY,
  EXTRACTION_CONDITION_OPS,
  type ExtractionAction,
  type ExtractionActionKind,
  type ExtractionCatalogResponse,
  type ExtractionRule,
} from '@gpt-bridge/shared';
import { usePanel } from './panel-context';

const KINDS: ExtractionActionKind[] = ['move', 'tag_add', 'tag_remove', 'task'];

/** A new action of a kind, with the account's first stage for a move. */
function newAction(
  kind: ExtractionActionKind,
  catalog: ExtractionCatalogResponse,
): ExtractionAction {
  switch (kind) {
    case 'move': {
      const pipeline = catalog.pipelines[0];
      return { kind, pipelineId: pipeline?.id ?? 0, statusId: pipeline?.statuses[0]?.id ?? 0 };
    }
    case 'tag_add':
    case 'tag_remove':
      return { kind, tag: '' };
    case 'task':
      return { kind, text: '', dueHours: 24, taskTypeId: 1 };
  }
}

/** "When <item> <op> <value> → actions": checked against the account's stages and users on save. */
export function ExtractionRules(props: {
  catalog: ExtractionCatalogResponse;
  itemNames: string[];
  rules: ExtractionRule[];
  onChange: (rules: ExtractionRule[]) => void;
}) {
  const { t } = usePanel();
  const { catalog, rules, onChange } = props;
  const setRule = (index: number, rule: ExtractionRule) =>
    onChange(rules.map((r, i) => (i === index ? rule : r)));
  const subjects = [EXTRACTION_ANSWER_KEY, ...props.itemNames];

  return (
    <div data-testid="gptb-extraction-rules">
      <h4>{t('extractionRules')}</h4>
      <p className="gptb-muted">{t('extractionRulesIntro')}</p>
      {rules.map((rule, index) => (
        <fieldset key={index} className="gptb-rule">
          <div className="gptb-row">
            <span>{t('extractionWhen')}</span>
            <select
              aria-label={t('extractionWhen')}
              value={rule.when.item}
              onChange={(e) =>
                setRule(index, { ...rule, when: { ...rule.when, item: e.target.value } })
              }
            >
              {subjects.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
            <select
              aria-label={t('extractionOp')}
              value={rule.when.op}
              onChange={(e) =>
                setRule(index, {
                  ...rule,
                  when: { ...rule.when, op: e.target.value as ExtractionRule['when']['op'] },
                })
              }
            >
              {EXTRACTION_CONDITION_OPS.map((op) => (
                <option key={op} value={op}>
                  {t(`extractionOp_${op}`)}
                </option>
              ))}
            </select>
            {rule.when.op !== 'is_set' && (
              <input
                aria-label={t('extractionValue')}
                value={rule.when.value ?? ''}
                placeholder="#Meeting"
                onChange={(e) =>
                  setRule(index, { ...rule, when: { ...rule.when, value: e.target.value } })
                }
              />
            )}
            <button type="button" onClick={() => onChange(rules.filter((_, i) => i !== index))}>
              {t('extractionRemove')}
            </button>
          </div>
          {rule.then.map((action, a) => (
            <ActionRow
              key={a}
              action={action}
              catalog={catalog}
              onChange={(next) =>
                setRule(index, { ...rule, then: rule.then.map((x, i) => (i === a ? next : x)) })
              }
              onRemove={() =>
                setRule(index, { ...rule, then: rule.then.filter((_, i) => i !== a) })
              }
            />
          ))}
          <div className="gptb-row">
            {KINDS.map((kind) => (
              <button
                key={kind}
                type="button"
                onClick={() =>
                  setRule(index, { ...rule, then: [...rule.then, newAction(kind, catalog)] })
                }
              >
                + {t(`extractionKind_${kind}`)}
              </button>
            ))}
          </div>
        </fieldset>
      ))}
      <button
        type="button"
        onClick={() =>
          onChange([
            ...rules,
            { when: { item: EXTRACTION_ANSWER_KEY, op: 'equals', value: '' }, then: [] },
          ])
        }
      >
        {t('extractionAddRule')}
      </button>
    </div>
  );
}

function ActionRow(props: {
  action: ExtractionAction;
  catalog: ExtractionCatalogResponse;
  onChange: (action: ExtractionAction) => void;
  onRemove: () => void;
}) {
  const { t } = usePanel();
  const { action, catalog, onChange } = props;
  return (
    <div className="gptb-row">
      <span>→ {t(`extractionKind_${action.kind}`)}</span>
      {action.kind === 'move' && (
        <select
          aria-label={t('extractionStage')}
          value={`${action.pipelineId}:${action.statusId}`}
          onChange={(e) => {
            const [pipelineId, statusId] = e.target.value.split(':').map(Number);
            onChange({ ...action, pipelineId: pipelineId ?? 0, statusId: statusId ?? 0 });
          }}
        >
          {catalog.pipelines.flatMap((p) =>
            p.statuses.map((s) => (
              <option key={`${p.id}:${s.id}`} value={`${p.id}:${s.id}`}>
                {p.name} › {s.name}
              </option>
            )),
          )}
        </select>
      )}
      {(action.kind === 'tag_add' || action.kind === 'tag_remove') && (
        <input
          aria-label={t('extractionTag')}
          value={action.tag}
          onChange={(e) => onChange({ ...action, tag: e.target.value })}
        />
      )}
      {action.kind === 'task' && (
        <>
          <input
            aria-label={t('extractionTaskText')}
            placeholder={t('extractionTaskText')}
            value={action.text}
            onChange={(e) => onChange({ ...action, text: e.target.value })}
          />
          <input
            type="number"
            min={1}
            max={720}
            aria-label={t('extractionDueHours')}
            value={action.dueHours}
            onChange={(e) => onChange({ ...action, dueHours: Number(e.target.value) })}
          />
          <select
            aria-label={t('extractionTaskType')}
            value={action.taskTypeId}
            onChange={(e) => onChange({ ...action, taskTypeId: e.target.value === '2' ? 2 : 1 })}
          >
            <option value={1}>{t('extractionTaskCall')}</option>
            <option value={2}>{t('extractionTaskMeeting')}</option>
          </select>
          <select
            aria-label={t('extractionTaskUser')}
            value={action.responsibleUserId ?? ''}
            onChange={(e) => {
              // No user = the lead's responsible user: the key goes, it is not set to null.
              const next: ExtractionAction = { ...action };
              delete next.responsibleUserId;
              onChange(
                e.target.value ? { ...next, responsibleUserId: Number(e.target.value) } : next,
              );
            }}
          >
            <option value="">{t('extractionTaskLeadUser')}</option>
            {(catalog.users ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </>
      )}
      <button type="button" onClick={props.onRemove}>
        {t('extractionRemove')}
      </button>
    </div>
  );
}
