import type {
  AuditProtocolRelease,
  ProtocolRelease,
  StoredProtocolRelease,
} from '../api/types.js';
import { shortHash } from '../pages/protocol.model.js';

/**
 * The recorded content against the version's pinned releases, for whoever
 * needs to compare (the hashes, shortened; the full one on hover).
 */
function Comparison({ release }: { readonly release: ProtocolRelease }) {
  return (
    <details>
      <summary>Recorded content and the pinned releases</summary>
      <p>
        Recorded: <code title={release.hash}>{shortHash(release.hash)}</code>
      </p>
      {release.releases.length > 0 ? (
        <ul>
          {release.releases.map((pin) => (
            <li key={pin.hash}>
              Pinned {pin.date}:{' '}
              <code title={pin.hash}>{shortHash(pin.hash)}</code>
            </li>
          ))}
        </ul>
      ) : null}
    </details>
  );
}

/**
 * Whether the protocol content an episode runs under is a pinned release:
 * the service's statement, plain where it is, a visible warning where it is
 * not (a record written by a build before the pin, or a changed copy).
 */
export function ProtocolReleaseNote({
  release,
}: {
  readonly release: ProtocolRelease;
}) {
  if (release.status === 'pinned') {
    return (
      // On screen only: the printed handover keeps to one page (its hint
      // line names the protocol version already).
      <p className="hint protocol-release no-print">
        <span title={release.pinned?.change}>{release.statement}</span>
      </p>
    );
  }
  return (
    <div className="notice warning-banner protocol-release" role="note">
      <p>⚠ {release.statement}</p>
      <Comparison release={release} />
    </div>
  );
}

/**
 * A list of protocol contents, each with how much of the record it covers
 * (`extent`, in words), the ones not pinned marked as warnings.
 */
export function ProtocolContentList({
  label,
  items,
}: {
  readonly label: string;
  readonly items: readonly {
    readonly release: ProtocolRelease;
    readonly extent: string;
  }[];
}) {
  if (items.length === 0) return null;
  return (
    <ul className="protocol-releases" aria-label={label}>
      {items.map(({ release, extent }) => (
        <li
          key={`${release.version} ${release.hash}`}
          className={release.status === 'pinned' ? 'hint' : 'warning-banner'}
        >
          {release.status === 'pinned' ? '' : '⚠ '}
          {release.statement} <span className="hint">({extent})</span>
          {release.status === 'pinned' ? null : (
            <Comparison release={release} />
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * Each protocol content an episode's audit records (one per version it ran
 * under, more where its content differs), with the entries under it.
 */
export function AuditProtocolReleases({
  releases,
}: {
  readonly releases: readonly AuditProtocolRelease[];
}) {
  return (
    <ProtocolContentList
      label="Protocol content recorded"
      items={releases.map((release) => ({
        release,
        extent:
          release.fromSeq === release.toSeq
            ? `entry #${String(release.fromSeq)}`
            : `entries #${String(release.fromSeq)}–#${String(release.toSeq)}, ${String(release.entries)} in all`,
      }))}
    />
  );
}

/** `count` and the noun, in the singular for one. */
function counted(count: number, one: string, many = `${one}s`): string {
  return `${String(count)} ${count === 1 ? one : many}`;
}

/**
 * Each protocol content the whole stored audit records, with the episodes
 * and entries under it (GET /api/audit/verify).
 */
export function StoredProtocolReleases({
  releases,
}: {
  readonly releases: readonly StoredProtocolRelease[];
}) {
  return (
    <ProtocolContentList
      label="Protocol content the records ran under"
      items={releases.map((release) => ({
        release,
        extent: `${counted(release.episodes, 'episode')}, ${counted(release.entries, 'entry', 'entries')}`,
      }))}
    />
  );
}
