/**
 * `cli protocol versions` and `cli protocol diff A B`: the protocol versions
 * this build knows (deployed, candidates) and what one changes against
 * another, in clinical words with the evidence behind each change.
 */
import {
  ClinicalInputError,
  diffProtocols,
  findProtocolVersion,
  type ProtocolChange,
  type ProtocolDiff,
  type ProtocolVersion,
  protocolVersions,
} from '@mas/protocol';

/** A value as the diff prints it (a threshold as operator, value, unit). */
function shown(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (
    typeof value === 'object' &&
    value !== null &&
    'op' in value &&
    'value' in value
  ) {
    const {
      op,
      value: number,
      unit,
    } = value as {
      op: string;
      value: number;
      unit?: string;
    };
    return `${op} ${String(number)}${unit === undefined || unit === '1' ? '' : ` ${unit}`}`;
  }
  return JSON.stringify(value);
}

function changeLine(change: ProtocolChange, version: ProtocolVersion): string {
  // A list of ids (the panel's items): the place already names the item.
  const listed = change.path.at(-1)?.startsWith('=') === true;
  const what = listed
    ? `${change.change} ${change.change === 'added' ? 'to' : 'from'} the list`
    : change.change === 'changed'
      ? `${shown(change.before)} → ${shown(change.after)}`
      : change.change === 'added'
        ? `added: ${shown(change.after)}`
        : `removed: ${shown(change.before)}`;
  const evidence = change.evidence
    .map((id) => {
      const entry = version.evidence.find((e) => e.id === id);
      return entry === undefined || entry.kind === 'seed-statement'
        ? id
        : `${id} (${entry.citation}${entry.tag === undefined ? '' : ` [${entry.tag}]`})`;
    })
    .join('; ');
  return `  ${change.where}\n    ${what}\n    evidence: ${evidence || 'none named'}\n`;
}

/** The diff as a committee reads it. */
export function formatProtocolDiff(
  diff: ProtocolDiff,
  to: ProtocolVersion,
): string {
  const lines = [
    `mas-protocol ${diff.from.version} → ${diff.to.version} (${to.status})`,
    `  from ${diff.from.hash}`,
    `  to   ${diff.to.hash}`,
    '',
    `Protocol data: ${String(diff.changes.length)} change(s)`,
    ...diff.changes.map((change) => changeLine(change, to)),
    `Evidence catalog: ${String(diff.evidence.length)} change(s)`,
    ...diff.evidence.map((change) => {
      const entry = (change.after ?? change.before) as {
        citation?: string;
        tag?: string;
      };
      return `  ${change.change}: ${change.id}${entry.citation === undefined ? '' : ` (${entry.citation}${entry.tag === undefined ? '' : ` [${entry.tag}]`})`}`;
    }),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function version(
  number: string | undefined,
  position: string,
): ProtocolVersion {
  if (number === undefined) {
    throw new ClinicalInputError(
      position,
      `is required: cli protocol diff FROM TO (versions: ${protocolVersions.map((v) => v.version).join(', ')})`,
    );
  }
  const found = findProtocolVersion(number);
  if (found === undefined) {
    throw new ClinicalInputError(
      position,
      `"${number}" is not a protocol version this build knows (${protocolVersions.map((v) => v.version).join(', ')})`,
    );
  }
  return found;
}

/** `protocol versions`: each version, its status and hash. */
export function protocolVersionList() {
  return protocolVersions.map((v) => ({
    id: v.id,
    version: v.version,
    status: v.status,
    hash: v.hash,
    summary: v.summary,
  }));
}

/** `protocol diff A B`. */
export function protocolDiff(
  from: string | undefined,
  to: string | undefined,
): { diff: ProtocolDiff; to: ProtocolVersion } {
  const target = version(to, 'TO');
  return { diff: diffProtocols(version(from, 'FROM'), target), to: target };
}
