import { type JSX, useState } from 'react';

import { type ApiClient, errorWords } from '../api/client.js';
import type { BulkMigration, ProtocolVersionList, Role } from '../api/types.js';
import { hrefOf } from '../routes.js';
import {
  migrationOutcomeWords,
  migrationSummary,
  replayWords,
} from './protocol.model.js';

type Kind = BulkMigration['kind'];

interface Choice {
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly kind: Kind;
}

const sameChoice = (a: Choice, b: Choice): boolean =>
  a.fromVersion === b.fromVersion &&
  a.toVersion === b.toVersion &&
  a.kind === b.kind;

function AlertList({
  alerts,
}: {
  readonly alerts: BulkMigration['episodes'][number]['alertsGained'];
}): JSX.Element {
  if (alerts.length === 0) return <>none</>;
  return (
    <ul className="protocol-evidence">
      {alerts.map((alert) => (
        <li key={alert.id}>{alert.message}</li>
      ))}
    </ul>
  );
}

function MigrationResult({
  answer,
}: {
  readonly answer: BulkMigration;
}): JSX.Element {
  const title = answer.dryRun
    ? `Dry run, ${answer.fromVersion} → ${answer.toVersion}`
    : `Migration done, ${answer.fromVersion} → ${answer.toVersion}`;
  return (
    <section aria-label={title}>
      <h3>{title}</h3>
      <div role="status">
        {migrationSummary(answer).map((line) => (
          <p key={line}>{line}</p>
        ))}
      </div>
      {answer.episodes.length > 0 ? (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">
              Each running episode: {title}
            </caption>
            <thead>
              <tr>
                <th scope="col">Patient</th>
                <th scope="col">Stage now</th>
                <th scope="col">Stage after</th>
                <th scope="col">Alerts gained</th>
                <th scope="col">Alerts cleared</th>
                <th scope="col">History under {answer.toVersion}</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {answer.episodes.map((item) => (
                <tr
                  key={item.id}
                  className={
                    item.stageChanged || item.alertsGained.length > 0
                      ? 'changes'
                      : undefined
                  }
                >
                  <th scope="row">
                    <a href={hrefOf({ page: 'episode', id: item.id })}>
                      {item.patientIdentifier}
                    </a>
                  </th>
                  <td>{item.stageBefore}</td>
                  <td>{item.stageChanged ? item.stageAfter : 'unchanged'}</td>
                  <td>
                    <AlertList alerts={item.alertsGained} />
                  </td>
                  <td>
                    <AlertList alerts={item.alertsCleared} />
                  </td>
                  <td title={item.replay.detail}>{replayWords(item.replay)}</td>
                  <td>{migrationOutcomeWords(item)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

export interface MigrationPanelProps {
  readonly api: ApiClient;
  readonly versions: ProtocolVersionList;
  readonly role: Role;
}

/**
 * Moving every running episode under one deployed version to another by
 * the proven plan for the pair: a dry run first (what each episode would
 * become: stage, alerts gained and cleared), then, for a senior who says
 * why, the migration itself (each episode its own audit entry). Auditors
 * see the dry run only.
 */
export function MigrationPanel({
  api,
  versions,
  role,
}: MigrationPanelProps): JSX.Element | null {
  // Only pairs a proven plan joins, between deployed versions.
  const deployed = new Set(
    versions.filter((v) => v.status === 'deployed').map((v) => v.version),
  );
  const sources = versions
    .filter((v) => deployed.has(v.version))
    .map((v) => ({
      version: v.version,
      current: v.current,
      targets: v.migrations.filter((m) => deployed.has(m.to)),
    }))
    .filter((v) => v.targets.length > 0);
  const [choice, setChoice] = useState<Choice>({
    fromVersion: sources[0]?.version ?? '',
    toVersion: sources[0]?.targets[0]?.to ?? '',
    kind: 'real',
  });
  const [rationale, setRationale] = useState('');
  const [previewed, setPreviewed] = useState<Choice | null>(null);
  const [answer, setAnswer] = useState<BulkMigration | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (sources.length === 0) return null;
  const targets =
    sources.find((v) => v.version === choice.fromVersion)?.targets ?? [];
  const plan = targets.find((m) => m.to === choice.toVersion);
  const mayApply = role === 'senior';
  const previewCurrent = previewed !== null && sameChoice(previewed, choice);
  const toMove =
    previewCurrent && answer?.dryRun ? answer.totals.wouldMigrate : 0;

  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.request<BulkMigration>(
        'POST',
        '/api/episodes/migrate',
        {
          ...choice,
          dryRun,
          ...(dryRun ? {} : { rationale }),
        },
      );
      setAnswer(result);
      setPreviewed(dryRun ? choice : null);
    } catch (caught) {
      setError(errorWords(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="protocol-migration-title">
      <h2 id="protocol-migration-title">Move running episodes</h2>
      <p>
        Running episodes stay under the version they opened with until a senior
        moves them, by the migration plan the model checker has proven for the
        pair. A dry run lists each episode with its stage and alerts after the
        move; nothing is recorded until the migration is confirmed, and each
        moved episode then has its own audit entry (who, why, from, to, the
        plan). Finished episodes stay under the version they ran under.
      </p>
      <div className="filters" role="group" aria-label="Migration">
        <label>
          Move episodes under{' '}
          <select
            value={choice.fromVersion}
            onChange={(e) => {
              const from = sources.find((v) => v.version === e.target.value);
              setChoice({
                ...choice,
                fromVersion: e.target.value,
                toVersion: from?.targets[0]?.to ?? '',
              });
            }}
          >
            {sources.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
                {v.current ? ' (current)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Move them to{' '}
          <select
            value={choice.toVersion}
            onChange={(e) => {
              setChoice({ ...choice, toVersion: e.target.value });
            }}
          >
            {targets.map((m) => (
              <option key={m.to} value={m.to}>
                {m.to}
              </option>
            ))}
          </select>
        </label>
        <label>
          Episodes{' '}
          <select
            value={choice.kind}
            onChange={(e) => {
              setChoice({ ...choice, kind: e.target.value as Kind });
            }}
          >
            <option value="real">real</option>
            <option value="training">training</option>
          </select>
        </label>
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            void run(true);
          }}
        >
          Dry run
        </button>
      </div>
      {plan ? <p>The proven plan: {plan.summary}</p> : null}
      {error ? <p role="alert">{error}</p> : null}
      {answer ? <MigrationResult answer={answer} /> : null}
      {mayApply && toMove > 0 ? (
        <form
          aria-label="Confirm the migration"
          onSubmit={(e) => {
            e.preventDefault();
            void run(false);
          }}
        >
          <label>
            Why (kept in each episode&apos;s audit){' '}
            <textarea
              required
              value={rationale}
              onChange={(e) => {
                setRationale(e.target.value);
              }}
            />
          </label>
          <button type="submit" disabled={busy || rationale.trim() === ''}>
            Move {toMove} episode{toMove === 1 ? '' : 's'} to {choice.toVersion}
          </button>
        </form>
      ) : null}
      {!mayApply ? (
        <p>Only a senior clinician moves episodes; you may run the dry run.</p>
      ) : null}
    </section>
  );
}
