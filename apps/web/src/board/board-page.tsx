import { useMemo, useState } from 'react';

import {
  patientSchema,
  underlyingDiseases,
  type WorkItem,
  type WorkItemPage,
} from '@mas/contracts';
import {
  alertLabel,
  ClinicalInputError,
  clinicalUnits,
  subjectLabel,
} from '@mas/protocol';

import { type ApiClient, ApiError } from '../api/client.js';
import type { EpisodeList, EpisodeListItem } from '../api/types.js';
import { formatTime, readableTimes } from '../episode/clinical-time.model.js';
import type { UnusualItem } from '../episode/event-form.model.js';
import { UnusualConfirmation } from '../episode/unusual-confirmation.js';
import { useFetched } from '../use-fetched.js';
import { useLiveChanges } from '../use-live-changes.js';
import { useNow } from '../use-now.js';
import {
  type BoardSortKey,
  countdown,
  filterChoices,
  filterEpisodes,
  MEASURE_WORDS,
  since,
  sortEpisodes,
  unusualMeasures,
} from './board.model.js';

const columns: readonly { key: BoardSortKey | null; label: string }[] = [
  { key: 'patient', label: 'Patient' },
  { key: 'stage', label: 'Stage' },
  { key: 'suspicion', label: 'Since suspicion' },
  { key: null, label: 'Since first glucocorticoid' },
  { key: 'nextDue', label: 'Next due' },
  { key: null, label: 'Alerts' },
  { key: null, label: 'Current therapies' },
  { key: 'urgency', label: 'Urgency' },
];

export interface BoardTableProps {
  readonly items: readonly EpisodeListItem[];
  readonly now: number;
  readonly onOpen: (id: string) => void;
  /** Open approvals and countersignatures, by episode. */
  readonly approvals?: ReadonlyMap<string, readonly WorkItem[]>;
}

/** What an open approval or countersignature asks, in words. */
function awaiting(item: WorkItem): string {
  switch (item.kind) {
    case 'second-senior-approval':
      return `escalation to ${subjectLabel(item.details.drug)} awaits a second senior`;
    case 'countersignature':
      return `emergency start of ${subjectLabel(item.details.drug)} awaits a countersignature`;
    case 'alert':
      return alertLabel(item.details.alertId);
  }
}

/** The board's table: sortable by urgency and the rest, filterable. */
export function BoardTable({
  items,
  now,
  onOpen,
  approvals = new Map(),
}: BoardTableProps) {
  const [sortKey, setSortKey] = useState<BoardSortKey>('urgency');
  const [direction, setDirection] = useState<'asc' | 'desc'>('desc');
  const [stage, setStage] = useState('');
  const [alert, setAlert] = useState('');
  const choices = useMemo(() => filterChoices(items), [items]);
  const rows = sortEpisodes(
    filterEpisodes(items, { stage, alert }),
    sortKey,
    direction,
  );
  const sortBy = (key: BoardSortKey) => {
    if (key === sortKey) setDirection(direction === 'asc' ? 'desc' : 'asc');
    else {
      setSortKey(key);
      setDirection(key === 'urgency' ? 'desc' : 'asc');
    }
  };
  return (
    <>
      <div
        className="filters no-print"
        role="group"
        aria-label="Filter the board"
      >
        <label>
          Stage{' '}
          <select value={stage} onChange={(e) => setStage(e.target.value)}>
            <option value="">all stages</option>
            {choices.stages.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Alert{' '}
          <select value={alert} onChange={(e) => setAlert(e.target.value)}>
            <option value="">any or none</option>
            {choices.alerts.map((a) => (
              <option key={a} value={a}>
                {alertLabel(a)}
              </option>
            ))}
          </select>
        </label>
        <span aria-live="polite">
          {rows.length} of {items.length} episodes
        </span>
      </div>
      <div className="table-scroll">
        <table className="board">
          <caption className="visually-hidden">
            Open episodes, sorted by {sortKey} ({direction})
          </caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th
                  key={c.label}
                  scope="col"
                  aria-sort={
                    c.key === sortKey
                      ? direction === 'asc'
                        ? 'ascending'
                        : 'descending'
                      : undefined
                  }
                >
                  {c.key ? (
                    <button
                      type="button"
                      className="link"
                      onClick={() => sortBy(c.key ?? 'urgency')}
                    >
                      {c.label}
                      {c.key === sortKey
                        ? direction === 'asc'
                          ? ' ▲'
                          : ' ▼'
                        : ''}
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((item) => {
              const due = countdown(item.nextDueAt, now);
              return (
                <tr
                  key={item.id}
                  className={due.overdue || item.overdue ? 'overdue' : ''}
                >
                  <td>
                    <button
                      type="button"
                      className="link"
                      onClick={() => onOpen(item.id)}
                    >
                      {item.patientIdentifier}
                    </button>
                    {item.ward ? (
                      <span className="hint"> · {item.ward}</span>
                    ) : null}
                  </td>
                  <td>
                    {item.stage}
                    {(approvals.get(item.id) ?? []).map((open) => (
                      <span key={open.id} className="awaiting">
                        {' '}
                        <span
                          className={`badge ${open.actionable ? 'critical' : 'warning'}`}
                        >
                          {open.actionable ? 'needs you' : 'awaiting'}
                        </span>{' '}
                        {awaiting(open)}
                      </span>
                    ))}
                  </td>
                  <td>{since(item.suspicionAt, now)}</td>
                  <td>{since(item.firstGlucocorticoidAt, now)}</td>
                  <td>
                    {due.overdue ? (
                      <strong className="badge critical">⚠ {due.text}</strong>
                    ) : (
                      due.text
                    )}
                  </td>
                  <td>
                    {item.alertDetails.length === 0 ? (
                      '—'
                    ) : (
                      <ul className="plain">
                        {item.alertDetails.map((a) => (
                          <li key={a.id}>
                            <span className={`badge ${a.severity}`}>
                              {a.severity}
                            </span>{' '}
                            <span
                              title={readableTimes(clinicalUnits(a.message))}
                            >
                              {alertLabel(a.id)}
                            </span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>
                    {item.therapies.length === 0
                      ? '—'
                      : item.therapies.map(subjectLabel).join(', ')}
                  </td>
                  <td>{item.urgency}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

export interface BoardPageProps {
  readonly api: ApiClient;
  readonly kind: 'real' | 'training';
  readonly canOpen: boolean;
  readonly onOpen: (id: string) => void;
}

/** Every open episode of one kind: real ones, or training ones apart. */
export function BoardPage({ api, kind, canOpen, onOpen }: BoardPageProps) {
  const now = useNow();
  // Reloads: the user's (a new episode) or the page's own (live, in the
  // background: not activity, so an idle ward screen still signs out).
  const [{ count: reload, background }, setReloads] = useState({
    count: 0,
    background: false,
  });
  const setReload = (count: number) => {
    setReloads({ count, background: false });
  };
  // Live: a change made anywhere reloads the list (the service announces
  // it within its poll interval).
  const reloadInBackground = () => {
    setReloads((value) => ({ count: value.count + 1, background: true }));
  };
  useLiveChanges(
    (change) => {
      if (change.kind === kind) reloadInBackground();
    },
    // The stream was lost: what was missed meanwhile, or a sign-out.
    reloadInBackground,
  );
  const { data: list, error } = useFetched<EpisodeList>(
    api,
    `/api/episodes?kind=${kind}&pageSize=100`,
    reload,
    null,
    background,
  );
  // Approvals and countersignatures still open, of this board's kind of
  // episode: flagged on their rows, and set apart for the seniors who may
  // give them.
  const { data: approvalItems } = useFetched<WorkItemPage>(
    api,
    `/api/work-items?kind=second-senior-approval&episodeKind=${kind}&pageSize=100`,
    reload,
    null,
    background,
  );
  const { data: countersignItems } = useFetched<WorkItemPage>(
    api,
    `/api/work-items?kind=countersignature&episodeKind=${kind}&pageSize=100`,
    reload,
    null,
    background,
  );
  const approvals = useMemo(() => {
    const byEpisode = new Map<string, WorkItem[]>();
    for (const item of [
      ...(approvalItems?.items ?? []),
      ...(countersignItems?.items ?? []),
    ]) {
      byEpisode.set(item.episodeId, [
        ...(byEpisode.get(item.episodeId) ?? []),
        item,
      ]);
    }
    return byEpisode;
  }, [approvalItems, countersignItems]);
  return (
    <section aria-labelledby="board-title">
      <h1 id="board-title">
        {kind === 'training' ? 'Training episodes' : 'Board: open episodes'}
      </h1>
      {kind === 'training' ? (
        <p className="notice training">
          Training episodes: simulated patients, kept apart from real ones.
        </p>
      ) : null}
      {canOpen ? (
        <NewEpisodeForm
          api={api}
          kind={kind}
          onCreated={(id) => {
            setReload(reload + 1);
            onOpen(id);
          }}
        />
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
      {list === null && error === null ? <p>Loading…</p> : null}
      {list ? (
        <BoardTable
          items={list.items}
          now={now}
          onOpen={onOpen}
          approvals={approvals}
        />
      ) : null}
    </section>
  );
}

interface NewEpisodeFormProps {
  readonly api: ApiClient;
  readonly kind: 'real' | 'training';
  readonly onCreated: (id: string) => void;
}

interface PendingEpisode {
  readonly body: {
    readonly patient: Record<string, unknown>;
    readonly kind: 'real' | 'training';
    readonly initialStage: string;
    readonly ward?: string;
  };
  readonly items: readonly UnusualItem[];
  readonly serverMessage?: string;
}

/** An episode of the same patient already open when another opens. */
interface OpenEpisode {
  readonly id: string;
  readonly openedAt: string;
  readonly stage: string;
}

/** Opens an episode for a pseudonymous patient. */
function NewEpisodeForm({ api, kind, onCreated }: NewEpisodeFormProps) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<PendingEpisode | null>(null);
  // Opened beside an episode of the same patient still open: said before
  // the page moves on (one patient, one record).
  const [beside, setBeside] = useState<{
    id: string;
    identifier: string;
    open: readonly OpenEpisode[];
  } | null>(null);
  if (beside) {
    return (
      <section role="alert" className="warning" aria-label="Already open">
        <p>
          Opened. An episode of {beside.identifier} was already open:{' '}
          {beside.open.map((other, index) => (
            <span key={other.id}>
              {index > 0 ? ', ' : ''}
              <a href={`#/episodes/${other.id}`}>
                {other.stage}, opened {formatTime(other.openedAt)}
              </a>
            </span>
          ))}
          . Two open episodes split the record (alerts and reassessments in two
          places): record on the first unless this is another illness.
        </p>
        <button
          type="button"
          onClick={() => {
            setBeside(null);
            onCreated(beside.id);
          }}
        >
          Go to the new episode
        </button>
      </section>
    );
  }
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        New episode
      </button>
    );
  }
  const submit = (form: HTMLFormElement) => {
    const data = new FormData(form);
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === 'string' ? value.trim() : '';
    };
    const patient = {
      identifier: text('identifier'),
      weightKg: Number(text('weightKg')),
      heightCm: Number(text('heightCm')),
      birthDate: text('birthDate'),
      sex: text('sex'),
      underlyingDisease: text('underlyingDisease'),
    };
    const checked = patientSchema.safeParse(patient);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      setError(
        `${issue?.path.join('.') ?? 'patient'}: ${issue?.message ?? 'invalid'}`,
      );
      return;
    }
    const ward = text('ward');
    const body = {
      patient,
      kind,
      initialStage: text('initialStage'),
      ...(ward === '' ? {} : { ward }),
    };
    let items: UnusualItem[];
    try {
      items = unusualMeasures(checked.data, new Date().toISOString());
    } catch (e) {
      if (!(e instanceof ClinicalInputError)) throw e;
      setError(e.message);
      return;
    }
    if (items.length > 0) {
      setError(null);
      setPending({ body, items });
      return;
    }
    create(body);
  };
  const create = (body: PendingEpisode['body'], confirmed?: string[]) => {
    setBusy(true);
    setError(null);
    api
      .request<{ id: string; openEpisodes?: OpenEpisode[] }>(
        'POST',
        '/api/episodes',
        {
          ...body,
          ...(confirmed ? { confirmUnusual: confirmed } : {}),
        },
      )
      .then(
        (created) => {
          setBusy(false);
          setPending(null);
          setOpen(false);
          const others = created.openEpisodes ?? [];
          if (others.length > 0) {
            setBeside({
              id: created.id,
              identifier: (body.patient as { identifier: string }).identifier,
              open: others,
            });
            return;
          }
          onCreated(created.id);
        },
        (e: unknown) => {
          setBusy(false);
          const fields =
            e instanceof ApiError && Array.isArray(e.body['unusualFields'])
              ? e.body['unusualFields'].filter(
                  (f): f is string => typeof f === 'string',
                )
              : [];
          if (e instanceof ApiError && e.status === 422 && fields.length > 0) {
            const patient = body.patient as {
              weightKg: number;
              heightCm: number;
              birthDate: string;
            };
            let items: UnusualItem[];
            try {
              items = unusualMeasures(
                patient,
                new Date().toISOString(),
                fields,
              );
            } catch {
              items = fields.map((field) => ({
                field,
                label: MEASURE_WORDS[field] ?? field,
                text: 'the service finds this value unusual',
              }));
            }
            setPending({ body, items, serverMessage: e.message });
            return;
          }
          setError(e instanceof Error ? e.message : String(e));
        },
      );
  };
  return (
    <>
      <form
        className="new-episode no-print"
        aria-label="New episode"
        onSubmit={(e) => {
          e.preventDefault();
          submit(e.currentTarget);
        }}
      >
        <fieldset>
          <legend>New {kind} episode (pseudonymous patient)</legend>
          <label>
            Identifier <input name="identifier" required />
          </label>
          <label>
            Weight (kg){' '}
            <input name="weightKg" type="number" step="0.1" min="0" required />
          </label>
          <label>
            Height (cm){' '}
            <input name="heightCm" type="number" step="0.1" min="0" required />
          </label>
          <label>
            Birth date <input name="birthDate" type="date" required />
          </label>
          <label>
            Sex{' '}
            <select name="sex" required defaultValue="">
              <option value="" disabled>
                choose
              </option>
              <option value="female">female</option>
              <option value="male">male</option>
              <option value="other">other</option>
              <option value="unknown">unknown</option>
            </select>
          </label>
          <label>
            Underlying disease{' '}
            <select name="underlyingDisease" required defaultValue="sJIA">
              {underlyingDiseases.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          </label>
          <label>
            Ward or site (optional){' '}
            <input name="ward" maxLength={64} autoComplete="off" />
          </label>
          <label>
            Starts at{' '}
            <select name="initialStage" defaultValue="suspected">
              <option value="suspected">MAS suspected</option>
              <option value="at-risk">at risk (not yet suspected)</option>
            </select>
          </label>
        </fieldset>
        {error ? <p role="alert">{error}</p> : null}
        {pending ? null : (
          <>
            <button type="submit" disabled={busy}>
              Open episode
            </button>{' '}
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </>
        )}
      </form>
      {pending ? (
        <UnusualConfirmation
          items={pending.items}
          {...(pending.serverMessage
            ? { serverMessage: pending.serverMessage }
            : {})}
          busy={busy}
          onConfirm={(fields) => {
            create(pending.body, [...fields]);
          }}
          onBack={() => {
            setPending(null);
          }}
        />
      ) : null}
    </>
  );
}
