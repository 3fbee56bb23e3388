import { type JSX, useState } from 'react';

import type { ApiClient } from '../api/client.js';
import type { ProtocolDiff, ProtocolVersionList, Role } from '../api/types.js';
import { useFetched } from '../use-fetched.js';
import { MigrationPanel } from './migration-panel.js';
import {
  changeCount,
  changeWords,
  citationWords,
  defaultPair,
  type DiffChange,
  diffPath,
  entryFieldsChanged,
  episodeWords,
  type EvidenceChange,
  kindWords,
  shortHash,
  statusWords,
} from './protocol.model.js';

import './protocol-page.css';

/** Two versions, compared. */
interface Pair {
  readonly from: string;
  readonly to: string;
}

/** A change's evidence: sources by citation and tag, seed statements by id; the words on hover. */
function EvidenceList({
  evidence,
}: {
  readonly evidence: DiffChange['evidence'];
}): JSX.Element {
  if (evidence.length === 0) return <>none named</>;
  return (
    <ul className="protocol-evidence">
      {evidence.map((entry) => (
        <li key={entry.id}>
          <span title={entry.text}>{citationWords(entry) ?? entry.id}</span>
        </li>
      ))}
    </ul>
  );
}

function EvidenceChanges({
  changes,
}: {
  readonly changes: readonly EvidenceChange[];
}): JSX.Element {
  if (changes.length === 0) {
    return <p>No evidence entry added, removed or changed.</p>;
  }
  return (
    <div className="table-scroll">
      <table>
        <caption className="visually-hidden">
          Evidence entries added, removed or changed
        </caption>
        <thead>
          <tr>
            <th scope="col">Evidence</th>
            <th scope="col">Change</th>
            <th scope="col">Source</th>
            <th scope="col">Statement</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => {
            const entry = change.after ?? change.before;
            return (
              <tr key={change.id}>
                <th scope="row">{change.id}</th>
                <td>
                  {change.change === 'changed'
                    ? `changed: ${entryFieldsChanged(change)}`
                    : change.change}
                </td>
                <td>
                  {entry === undefined
                    ? '—'
                    : (citationWords(entry) ?? kindWords(entry.kind))}
                </td>
                <td>{entry?.text ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function DiffView({ diff }: { readonly diff: ProtocolDiff }): JSX.Element {
  const pair = `${diff.from.version} → ${diff.to.version}`;
  return (
    <>
      <p role="status">
        From {diff.from.version} to {diff.to.version}:{' '}
        {changeCount(diff.changes.length)} to the protocol data,{' '}
        {changeCount(diff.evidence.length)} to the evidence catalog.
      </p>
      <h3>Protocol data</h3>
      {diff.changes.length === 0 ? (
        <p>No change to the protocol data.</p>
      ) : (
        <div className="table-scroll">
          <table className="protocol-changes">
            <caption className="visually-hidden">
              Changes to the protocol data, {pair}
            </caption>
            <thead>
              <tr>
                <th scope="col">Where</th>
                <th scope="col">What</th>
                <th scope="col">Evidence</th>
              </tr>
            </thead>
            <tbody>
              {diff.changes.map((change) => (
                <tr key={change.path.join('/')}>
                  <th scope="row">{change.where}</th>
                  <td>{changeWords(change)}</td>
                  <td>
                    <EvidenceList evidence={change.evidence} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Evidence catalog</h3>
      <EvidenceChanges changes={diff.evidence} />
    </>
  );
}

/**
 * What a version was released with, oldest first: an earlier entry is
 * content an older build ran under the same number (what an episode's
 * recorded hash may name), with what changed and why.
 */
function Releases({
  releases,
}: {
  readonly releases: ProtocolVersionList[number]['releases'];
}): JSX.Element | null {
  if (releases.length === 0) return null;
  return (
    <details>
      <summary>
        {releases.length === 1
          ? `Pinned ${releases[0]?.date ?? ''}`
          : `${String(releases.length)} releases under this number`}
      </summary>
      <ol>
        {releases.map((release) => (
          <li key={release.hash}>
            <code title={release.hash}>{shortHash(release.hash)}</code>,{' '}
            {release.date}: {release.change}
          </li>
        ))}
      </ol>
    </details>
  );
}

function VersionTable({
  versions,
}: {
  readonly versions: ProtocolVersionList;
}): JSX.Element {
  return (
    <div className="table-scroll">
      <table>
        <caption className="visually-hidden">
          Protocol versions this service knows
        </caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Status</th>
            <th scope="col">Content hash</th>
            <th scope="col">Summary</th>
            <th scope="col">Episodes</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} className={v.current ? 'current' : undefined}>
              <th scope="row">{v.version}</th>
              <td>{statusWords(v.status, v.current)}</td>
              <td>
                <code title={v.hash}>{shortHash(v.hash)}</code>
                <Releases releases={v.releases} />
              </td>
              <td>{v.summary}</td>
              <td>{episodeWords(v.episodes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Diff({
  api,
  pair,
}: {
  readonly api: ApiClient;
  readonly pair: Pair;
}): JSX.Element {
  const diff = useFetched<ProtocolDiff>(api, diffPath(pair));
  if (diff.error) return <p role="alert">{diff.error}</p>;
  if (diff.data === null) return <p role="status">Comparing…</p>;
  return <DiffView diff={diff.data} />;
}

export interface ProtocolPageProps {
  readonly api: ApiClient;
  /** Seniors move running episodes; auditors see the dry run. */
  readonly role: Role;
}

/**
 * The protocol versions the service knows (deployed, candidates drafted
 * for review) with the episodes recorded under each, and what one
 * changes against another: each threshold, dose, rule or list item, where
 * it sits, before and after, on what evidence.
 */
export function ProtocolPage({ api, role }: ProtocolPageProps): JSX.Element {
  const { data: versions, error } = useFetched<ProtocolVersionList>(
    api,
    '/api/protocol/versions',
  );
  // The pair compared: the current version against the newest candidate
  // (else the newest other deployed version), until the reader chooses
  // another.
  const [chosen, setChosen] = useState<Partial<Pair>>({});
  const initial = versions ? defaultPair(versions) : null;
  const pair: Pair | null = initial ? { ...initial, ...chosen } : null;
  return (
    <section aria-labelledby="protocol-page-title" className="protocol">
      <h1 id="protocol-page-title">Protocol versions</h1>
      <p>
        The versions of the protocol data this service knows. Deployed versions
        run side by side: each episode runs under the version it was opened with
        and records its hash; new episodes open under the current one (marked).
        A senior moves a running episode to another deployed version only by a
        migration plan the model checker has proven. A candidate is drafted for
        the protocol committee to review and runs no episode.
      </p>
      {error ? <p role="alert">{error}</p> : null}
      {versions === null && error === null ? (
        <p role="status">Loading…</p>
      ) : null}
      {versions ? <VersionTable versions={versions} /> : null}
      {versions && pair ? (
        <section aria-labelledby="protocol-diff-title">
          <h2 id="protocol-diff-title">What a version changes</h2>
          <div className="filters" role="group" aria-label="Versions compared">
            {(['from', 'to'] as const).map((end) => (
              <label key={end}>
                {end === 'from' ? 'From version' : 'To version'}{' '}
                <select
                  value={pair[end]}
                  onChange={(e) => {
                    setChosen({ ...chosen, [end]: e.target.value });
                  }}
                >
                  {versions.map((v) => (
                    <option key={v.version} value={v.version}>
                      {v.version} ({v.status})
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </div>
          <Diff api={api} pair={pair} />
        </section>
      ) : null}
      {versions && (role === 'senior' || role === 'auditor') ? (
        <MigrationPanel api={api} versions={versions} role={role} />
      ) : null}
    </section>
  );
}
