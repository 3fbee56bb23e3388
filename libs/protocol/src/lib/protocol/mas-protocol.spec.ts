import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { contentHash } from './content-hash.util.js';
import { masProtocolDefinition } from './mas-protocol.constant.js';
import { masProtocol } from './mas-protocol.js';

/** The key paths of every number in `value`. */
function numberPaths(
  value: unknown,
  path: (string | number)[] = [],
): (string | number)[][] {
  if (typeof value === 'number') return [path];
  if (Array.isArray(value))
    return value.flatMap((item, index) => numberPaths(item, [...path, index]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) =>
      numberPaths(item, [...path, key]),
    );
  return [];
}

/** A deep copy with every object's keys in reverse order (arrays keep theirs: order is content). */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, item]) => [key, reversedKeys(item)]),
    );
  return value;
}

/** What the protocol hash covers (as `mas-protocol.ts` computes it). */
const hashed = {
  definition: masProtocolDefinition,
  evidence: masProtocol.evidence,
  recording: masProtocol.recording,
};

describe('mas-protocol definition', () => {
  it('is version 1.0.0 with a content hash', () => {
    expect(masProtocol.id).toBe('mas-protocol');
    expect(masProtocol.version).toBe('1.0.0');
    expect(masProtocol.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('the hash changes when any number changes', () => {
    const changed = structuredClone(masProtocolDefinition) as {
      mas2016: { required: { anyOf: { value: number }[] } };
    };
    const first = changed.mas2016.required.anyOf[0];
    if (!first) throw new Error('no ferritin cut-off');
    first.value = 685;
    expect(contentHash({ ...hashed, definition: changed })).not.toBe(
      masProtocol.hash,
    );
    // Every number of the definition, one at a time.
    const paths = numberPaths(masProtocolDefinition);
    expect(paths.length).toBeGreaterThan(20);
    const unchanged: string[] = [];
    for (const path of paths) {
      type Node = Record<string | number, unknown>;
      const copy = structuredClone(masProtocolDefinition) as unknown as Node;
      let parent = copy;
      for (const key of path.slice(0, -1)) parent = parent[key] as Node;
      const key = path.at(-1)!;
      parent[key] = (parent[key] as number) + 1;
      if (contentHash({ ...hashed, definition: copy }) === masProtocol.hash) {
        unchanged.push(path.join('.'));
      }
    }
    expect(unchanged).toEqual([]);
  });

  it('an unchanged copy hashes the same: the hash is a function of content, not of identity or key order', () => {
    const content = hashed;
    expect(contentHash(content)).toBe(masProtocol.hash);
    const copy = structuredClone(content);
    expect(copy.definition).not.toBe(masProtocolDefinition);
    expect(contentHash(copy)).toBe(masProtocol.hash);
    const reordered = reversedKeys(copy);
    // The copy's keys really are in another order (same content) ...
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(copy));
    expect(reordered).toEqual(copy);
    // ... and it hashes the same.
    expect(contentHash(reordered)).toBe(masProtocol.hash);
    expect(contentHash(JSON.parse(JSON.stringify(reordered)))).toBe(
      masProtocol.hash,
    );
  });

  it('reassessment is at least every 12 hours (the seed)', () => {
    expect(masProtocolDefinition.monitoring).toMatchObject({
      reassessmentIntervalHours: 12,
      evidence: ['seed.monitoring.1'],
    });
  });
});

describe('input checks: two tiers per analyte and patient measure', () => {
  const { analytes, patient, labPicture } = masProtocolDefinition;

  it.each(Object.entries(analytes))(
    '%s: the usual range lies inside the plausible range, the usual unit is accepted',
    (_id, definition) => {
      expect(definition.usual.min).toBeLessThan(definition.usual.max);
      expect(definition.usual.min).toBeGreaterThanOrEqual(
        definition.plausible.min,
      );
      expect(definition.usual.max).toBeLessThanOrEqual(
        definition.plausible.max,
      );
      expect(definition.acceptedUnits).toContain(definition.usualUnit);
      expect(definition.evidence).toContain('software.usual-range');
    },
  );

  it.each(Object.entries(patient.usual))(
    'patient %s: the usual range lies inside the plausible range',
    (id, usual) => {
      const plausible = patient[id as keyof typeof patient.usual];
      expect(usual.min).toBeLessThan(usual.max);
      expect(usual.min).toBeGreaterThanOrEqual(plausible.min);
      expect(usual.max).toBeLessThanOrEqual(plausible.max);
    },
  );

  it('the lab picture keeps values one daily monitoring interval (24 h), durable findings whatever their age', () => {
    expect(labPicture).toEqual({
      windowHours: 24,
      durableItems: [
        'sjiaKnownOrSuspected',
        'knownImmunosuppression',
        'hemophagocytosis',
        'nkActivityLowOrAbsent',
        'molecularHlhDiagnosis',
        'onTocilizumab',
        'ageDays',
      ],
      evidence: [
        'lit.jordan-2011',
        'seed.monitoring.2',
        'seed.pitfalls.4',
        'software.lab-picture',
      ],
    });
  });
});

describe('no clinical number is a literal in logic', () => {
  const root = join(import.meta.dirname, '..');
  const logicFiles = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return logicFiles(path);
      return /\.ts$/.test(name) && !/\.(spec|constant|types)\.ts$/.test(name)
        ? [path]
        : [];
    });

  // 0 and 1 are identities; 100 turns a ratio into a percent.
  const allowed = new Set(['0', '1', '100']);

  it('logic files hold no numeric literal but 0, 1 and 100', () => {
    const offenders: string[] = [];
    for (const file of logicFiles(root)) {
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '')
        .replace(/(['"`])(?:\\.|(?!\1)[^\\])*\1/g, '""');
      for (const match of code.matchAll(/(?<![\w.])\d+(?:\.\d+)?(?![\w.])/g)) {
        if (!allowed.has(match[0]))
          offenders.push(`${relative(root, file)}: ${match[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
