/**
 * The Protocol page's reading of the versions (GET /api/protocol/versions)
 * and of a diff between two (GET /api/protocol/diff): statuses, hashes and
 * values of the protocol data in words. What changed, where and on what
 * evidence is the service's (`diffProtocols` in `@mas/protocol`).
 */
import { type Comparator, compareVersions } from '@mas/protocol';

import type {
  BulkMigration,
  ProtocolDiff,
  ProtocolVersionList,
} from '../api/types.js';
import { displayOp, formatQuantity } from '../episode/labs.model.js';

export type VersionRow = ProtocolVersionList[number];
export type DiffChange = ProtocolDiff['changes'][number];
export type EvidenceChange = ProtocolDiff['evidence'][number];
export type EvidenceEntry = NonNullable<EvidenceChange['after']>;

/** A version's status as the page says it. */
export function statusWords(
  status: VersionRow['status'],
  current = false,
): string {
  switch (status) {
    case 'deployed':
      return current
        ? 'current — new episodes open under it'
        : 'deployed — running episodes stay under it';
    case 'candidate':
      return 'candidate — drafted for review, not deployed';
  }
}

/** The first 12 hex digits of a content hash (`sha256:…`); the page shows the whole on hover. */
export function shortHash(hash: string): string {
  const hex = hash.replace(/^sha256:/, '');
  return hex.length > 12 ? `${hex.slice(0, 12)}…` : hex;
}

/** The episodes recorded under a version, by kind. */
export function episodeWords({
  real,
  training,
}: VersionRow['episodes']): string {
  if (real === 0 && training === 0) return 'none';
  const parts = [`${String(real)} real`];
  if (training > 0) parts.push(`${String(training)} training`);
  return parts.join(', ');
}

/**
 * The pair the page compares first: the current version against the newest
 * candidate, else the newest other deployed version (against itself when
 * there is none).
 */
export function defaultPair(
  versions: ProtocolVersionList,
): { from: string; to: string } | null {
  const deployed = versions.find((v) => v.current) ?? versions[0];
  if (deployed === undefined) return null;
  const newestOf = (status: VersionRow['status']) =>
    versions
      .filter((v) => v.status === status && v.version !== deployed.version)
      .map((v) => v.version)
      .sort(compareVersions)
      .at(-1);
  const newest = newestOf('candidate') ?? newestOf('deployed');
  return { from: deployed.version, to: newest ?? deployed.version };
}

/** The service's diff of the pair. */
export function diffPath(pair: { from: string; to: string }): string {
  const query = new URLSearchParams({ from: pair.from, to: pair.to });
  return `/api/protocol/diff?${query.toString()}`;
}

const COMPARATORS: readonly string[] = ['>', '>=', '<', '<='];

const isThreshold = (
  value: unknown,
): value is { op: Comparator; value: number; unit: string } =>
  typeof value === 'object' &&
  value !== null &&
  COMPARATORS.includes(String((value as { op?: unknown }).op)) &&
  typeof (value as { value?: unknown }).value === 'number' &&
  typeof (value as { unit?: unknown }).unit === 'string';

/** A key of the data in words: "reassessmentIntervalHours" → "reassessment interval hours". */
function keyWords(key: string): string {
  return key.replace(/([a-z\d])([A-Z])/g, '$1 $2').toLowerCase();
}

/**
 * A value of the protocol data in words: a threshold as "> 684 ng/mL", a
 * list as its items, an object as its fields (its evidence lists left out:
 * the change's evidence is shown apart).
 */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  // JSON holds nothing else but lists and objects.
  if (typeof value !== 'object') return '';
  if (isThreshold(value)) {
    return `${displayOp(value.op)} ${formatQuantity(value.value, value.unit)}`;
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? 'none' : value.map(formatValue).join(', ');
  }
  return Object.entries(value as Record<string, unknown>)
    .filter(([key]) => key !== 'evidence' && !key.endsWith('Evidence'))
    .map(([key, field]) => {
      const shown = formatValue(field);
      return typeof field === 'object' && field !== null && !isThreshold(field)
        ? `${keyWords(key)} (${shown})`
        : `${keyWords(key)}: ${shown}`;
    })
    .join('; ');
}

/**
 * What a change does, in words: an item added to or removed from a list of
 * ids (the place already names it), a value before → after, or what was
 * added or removed.
 */
export function changeWords(change: DiffChange): string {
  const listed = change.path.at(-1)?.startsWith('=') === true;
  switch (change.change) {
    case 'added':
      return listed
        ? 'added to the list'
        : `added: ${formatValue(change.after)}`;
    case 'removed':
      return listed
        ? 'removed from the list'
        : `removed: ${formatValue(change.before)}`;
    case 'changed':
      return `${formatValue(change.before)} → ${formatValue(change.after)}`;
  }
}

/** A source as cited: its citation with its tag ("Minoia F et al. … [S]"). */
export function citationWords(evidence: {
  readonly citation?: string | undefined;
  readonly tag?: string | undefined;
}): string | null {
  if (evidence.citation === undefined) return null;
  return evidence.tag === undefined
    ? evidence.citation
    : `${evidence.citation} [${evidence.tag}]`;
}

const KIND_WORDS: Record<EvidenceEntry['kind'], string> = {
  'seed-statement': 'seed statement',
  literature: 'literature',
  'design-review': 'design review',
  software: 'software',
};

/** The kind of an evidence entry in words. */
export function kindWords(kind: EvidenceEntry['kind']): string {
  return KIND_WORDS[kind];
}

const ENTRY_FIELDS: Record<string, string> = {
  text: 'text',
  citation: 'citation',
  tag: 'tag',
  section: 'section',
  url: 'link',
  kind: 'kind',
  referenceMarkers: 'reference markers',
};

/** The fields of an evidence entry that a change rewrote, in words ("text, tag"). */
export function entryFieldsChanged(change: EvidenceChange): string {
  const before = (change.before ?? {}) as Record<string, unknown>;
  const after = (change.after ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((key) => ENTRY_FIELDS[key] ?? keyWords(key))
    .join(', ');
}

/** "1 change", "3 changes". */
export function changeCount(n: number): string {
  return `${String(n)} change${n === 1 ? '' : 's'}`;
}

/** `n` and the noun, singular or plural ("1 episode", "2 episodes"). */
function count(n: number, noun: string): string {
  return `${String(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * A bulk migration in one sentence per fact: how many running episodes move
 * (or would), how many change stage or gain alerts, how many the protocol
 * refused or were recorded on meanwhile, and the finished ones left where
 * they ran.
 */
export function migrationSummary(answer: BulkMigration): string[] {
  const { totals, fromVersion, toVersion, dryRun, kind } = answer;
  const running = count(totals.running, `running ${kind} episode`);
  const lines = [
    totals.running === 0
      ? `No running ${kind} episode is under ${fromVersion}.`
      : dryRun
        ? `${running} under ${fromVersion}: ${String(totals.wouldMigrate)} would move to ${toVersion}.`
        : `${running} under ${fromVersion}: ${String(totals.migrated)} moved to ${toVersion}.`,
  ];
  if (totals.running > 0) {
    const [change, gain] = dryRun
      ? ['would change stage', 'would gain alerts']
      : ['changed stage', 'gained alerts'];
    lines.push(
      `${count(totals.stageChanges, 'episode')} ${change}; ${count(totals.gainingAlerts, 'episode')} ${gain}.`,
    );
  }
  if (totals.refused > 0) {
    lines.push(
      `${count(totals.refused, 'episode')} refused by the protocol (reasons below).`,
    );
  }
  if (totals.changed > 0) {
    lines.push(
      `${count(totals.changed, 'episode')} recorded on meanwhile, not moved: run the migration again.`,
    );
  }
  if (totals.finished > 0) {
    lines.push(
      `${count(totals.finished, 'finished episode')} ${totals.finished === 1 ? 'stays' : 'stay'} under ${fromVersion}, the version ${totals.finished === 1 ? 'it' : 'they'} ran under.`,
    );
  }
  return lines;
}

/** An episode's outcome in a bulk migration, in words. */
export function migrationOutcomeWords(
  item: BulkMigration['episodes'][number],
): string {
  switch (item.outcome) {
    case 'would-migrate':
      return 'would move';
    case 'migrated':
      return 'moved';
    case 'refused':
      return `refused: ${item.reason ?? 'by the protocol'}`;
    case 'changed':
      return 'not moved: recorded on meanwhile';
  }
}

/** What replaying an episode's history under the new version gave, in words. */
export function replayWords(
  replay: BulkMigration['episodes'][number]['replay'],
): string {
  switch (replay.outcome) {
    case 'agrees':
      return 'replays the same';
    case 'differs':
    case 'refused':
      return replay.detail;
    case 'not-replayable':
      return 'not replayable (older record)';
  }
}
