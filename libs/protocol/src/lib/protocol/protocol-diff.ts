/**
 * What changed between two versions of the protocol data, in clinical words:
 * every threshold, dose, rule, interval and list item added, removed or
 * changed, where it sits (the section and the item as a clinician names
 * them), its value before and after, and the evidence behind it (the
 * nearest `evidence` list around it, in either version). Evidence entries
 * added, removed or reworded are listed too. Pure: a protocol committee
 * reads it before a version is deployed (`cli protocol diff`).
 */
import {
  drugLabels,
  protocolSectionLabels,
  subjectLabels,
} from '../labels/clinical-labels.constant.js';
import type { ProtocolVersion } from './protocol-versions.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One difference between two versions' data. */
export interface ProtocolChange {
  readonly change: 'added' | 'removed' | 'changed';
  /** Where in the data: keys and list items (by id where they have one). */
  readonly path: readonly string[];
  /** The same place in words: section › item › field. */
  readonly where: string;
  readonly before?: Json;
  readonly after?: Json;
  /** The evidence ids around it, in either version (nearest first). */
  readonly evidence: readonly string[];
}

/** An evidence entry added, removed or changed. */
export interface EvidenceChange {
  readonly change: 'added' | 'removed' | 'changed';
  readonly id: string;
  readonly before?: Json;
  readonly after?: Json;
}

export interface ProtocolDiff {
  readonly from: { readonly version: string; readonly hash: string };
  readonly to: { readonly version: string; readonly hash: string };
  readonly changes: readonly ProtocolChange[];
  readonly evidence: readonly EvidenceChange[];
}

/** Keys that identify an item of a list, in order of preference. */
const ITEM_KEYS = ['id', 'analyte', 'drug'] as const;
/** Keys that are bookkeeping of the data, not protocol content. */
const IGNORED = new Set(['version']);

const isObject = (value: Json | undefined): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The identity of a list item: its id-like key, else its position. */
function itemKey(item: Json, index: number): string {
  if (isObject(item)) {
    for (const key of ITEM_KEYS) {
      const value = item[key];
      if (typeof value === 'string' || typeof value === 'number') {
        return `${key}=${String(value)}`;
      }
    }
    return `#${String(index + 1)}`;
  }
  // A list of ids (monitoring items, durable findings): the value is its key.
  return typeof item === 'string' ? `=${item}` : `#${String(index + 1)}`;
}

/** How a key of the data reads: a section, a drug, a subject, or its words. */
function keyWords(
  key: string,
  node: Json | undefined,
  names: Readonly<Record<string, string>>,
): string {
  if (isObject(node) && typeof node['label'] === 'string') return node['label'];
  const known =
    names[key] ??
    protocolSectionLabels[key] ??
    (drugLabels as Readonly<Record<string, string>>)[key] ??
    subjectLabels[key];
  if (known !== undefined) return known;
  if (key.startsWith('#')) return `item ${key.slice(1)}`;
  const [, value] = key.split('=');
  if (value !== undefined) return keyWords(value, undefined, names);
  // camelCase to words: "reassessmentIntervalHours" → "reassessment interval hours".
  return key.replace(/([a-z\d])([A-Z])/g, '$1 $2').toLowerCase();
}

/** A node's own evidence list. */
function ownEvidence(node: Json | undefined): string[] {
  if (!isObject(node)) return [];
  const list = node['evidence'];
  return Array.isArray(list)
    ? list.filter((id): id is string => typeof id === 'string')
    : [];
}

/**
 * The evidence of a child: its own, and its parent's `<key>Evidence` list
 * (monitoring's `itemsEvidence` is the evidence of its `items`); the
 * parent's evidence when it has none of its own.
 */
function childEvidence(
  key: string,
  parents: readonly (Json | undefined)[],
  children: readonly (Json | undefined)[],
  inherited: readonly string[],
): string[] {
  const own = [
    ...children.flatMap(ownEvidence),
    ...parents.flatMap((parent) =>
      ownEvidence(
        isObject(parent)
          ? { evidence: parent[`${key}Evidence`] ?? null }
          : null,
      ),
    ),
  ];
  return own.length > 0 ? [...new Set(own)] : [...inherited];
}

interface Walk {
  readonly path: string[];
  readonly words: string[];
  /** The evidence of this node (its own, or its nearest ancestor's). */
  readonly evidence: string[];
  /** Analytes by their labels (of either version). */
  readonly names: Readonly<Record<string, string>>;
}

function walk(
  before: Json | undefined,
  after: Json | undefined,
  at: Walk,
  out: ProtocolChange[],
): void {
  const record = (
    change: ProtocolChange['change'],
    values: Pick<ProtocolChange, 'before' | 'after'>,
  ) => {
    out.push({
      change,
      path: at.path,
      where: at.words.join(' › '),
      ...values,
      evidence: at.evidence,
    });
  };
  if (before === undefined && after !== undefined) {
    record('added', { after });
    return;
  }
  if (after === undefined && before !== undefined) {
    record('removed', { before });
    return;
  }
  if (before === undefined || after === undefined) return;
  const children = childrenOf(before, after);
  if (children === null) {
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      record('changed', { before, after });
    }
    return;
  }
  for (const [key, [left, right]] of children) {
    // The version number itself is what the diff is between.
    if (IGNORED.has(key) && at.path.join('.') === 'definition') continue;
    // The evidence lists are the evidence of the change, not changes of
    // their own; the catalog's entries are compared apart.
    if (key === 'evidence' || key.endsWith('Evidence')) continue;
    walk(
      left,
      right,
      {
        path: [...at.path, key],
        words: [...at.words, keyWords(key, right ?? left, at.names)],
        evidence: childEvidence(
          key,
          [before, after],
          [left, right],
          at.evidence,
        ),
        names: at.names,
      },
      out,
    );
  }
}

/**
 * The children of two nodes of the same shape, by key (objects) or by item
 * identity (lists); null when they are leaves or of different shapes.
 */
function childrenOf(
  before: Json,
  after: Json,
): Map<string, [Json | undefined, Json | undefined]> | null {
  const pairs = new Map<string, [Json | undefined, Json | undefined]>();
  if (Array.isArray(before) && Array.isArray(after)) {
    before.forEach((item, index) => {
      pairs.set(itemKey(item, index), [item, undefined]);
    });
    after.forEach((item, index) => {
      const key = itemKey(item, index);
      pairs.set(key, [pairs.get(key)?.[0], item]);
    });
    return pairs;
  }
  if (isObject(before) && isObject(after)) {
    for (const key of Object.keys(before))
      pairs.set(key, [before[key], undefined]);
    for (const key of Object.keys(after)) {
      pairs.set(key, [pairs.get(key)?.[0], after[key]]);
    }
    return pairs;
  }
  return null;
}

/** Each analyte's label, by id (the later version's where both have one). */
function analyteNames(...definitions: unknown[]): Record<string, string> {
  const names: Record<string, string> = {};
  for (const definition of definitions) {
    const analytes = (definition as { analytes?: unknown }).analytes;
    if (typeof analytes !== 'object' || analytes === null) continue;
    for (const [id, analyte] of Object.entries(analytes)) {
      const label = (analyte as { label?: unknown }).label;
      if (typeof label === 'string') names[id] = label;
    }
  }
  return names;
}

const asJson = (value: unknown): Json =>
  JSON.parse(JSON.stringify(value)) as Json;

/** Every difference from `from` to `to`: the protocol data, then the evidence catalog. */
export function diffProtocols(
  from: ProtocolVersion,
  to: ProtocolVersion,
): ProtocolDiff {
  const changes: ProtocolChange[] = [];
  walk(
    asJson({ definition: from.definition, recording: from.recording }),
    asJson({ definition: to.definition, recording: to.recording }),
    {
      path: [],
      words: [],
      evidence: [],
      names: analyteNames(from.definition, to.definition),
    },
    changes,
  );
  const before = new Map(
    from.evidence.map((entry) => [entry.id, asJson(entry)]),
  );
  const after = new Map(to.evidence.map((entry) => [entry.id, asJson(entry)]));
  const evidence: EvidenceChange[] = [];
  for (const [id, entry] of before) {
    const next = after.get(id);
    if (next === undefined)
      evidence.push({ change: 'removed', id, before: entry });
    else if (JSON.stringify(next) !== JSON.stringify(entry)) {
      evidence.push({ change: 'changed', id, before: entry, after: next });
    }
  }
  for (const [id, entry] of after) {
    if (!before.has(id)) evidence.push({ change: 'added', id, after: entry });
  }
  return {
    from: { version: from.version, hash: from.hash },
    to: { version: to.version, hash: to.hash },
    // Paths start at the data's two parts; the words leave them out.
    changes: changes.map((change) => ({
      ...change,
      path: change.path.slice(1),
      where: change.where.split(' › ').slice(1).join(' › '),
    })),
    evidence,
  };
}
