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
    expect(
      contentHash({ definition: changed, evidence: masProtocol.evidence }),
    ).not.toBe(masProtocol.hash);
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
      if (
        contentHash({ definition: copy, evidence: masProtocol.evidence }) ===
        masProtocol.hash
      ) {
        unchanged.push(path.join('.'));
      }
    }
    expect(unchanged).toEqual([]);
  });

  it('an unchanged copy hashes the same: the hash is a function of content, not of identity or key order', () => {
    const content = {
      definition: masProtocolDefinition,
      evidence: masProtocol.evidence,
    };
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
