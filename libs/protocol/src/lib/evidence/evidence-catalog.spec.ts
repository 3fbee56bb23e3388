import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { drugIds } from '../doses/dose-request.schema.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import {
  evidenceCatalog,
  findEvidence,
  seedStatements,
} from './evidence-catalog.constant.js';

/** Parses the seed into its lead paragraph and bullets, as the catalog should hold them. */
function parseSeed(text: string) {
  const lines = text
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '');
  const statements: { section: string; text: string; markers: number[] }[] = [];
  let section = 'Lead';
  for (const line of lines) {
    const bullet = line.startsWith('- ');
    const match = /^(.*?)\s+(\d+(?:,\s*\d+)*)$/.exec(line.replace(/^- /, ''));
    if (!bullet && !match) {
      section = line.trim();
      continue;
    }
    if (!match?.[1] || !match[2])
      throw new Error(`unparsed seed line: ${line}`);
    statements.push({
      section,
      text: match[1],
      markers: match[2].split(/,\s*/).map(Number),
    });
  }
  return statements;
}

/**
 * The bundled seed is the source: the tests read it and nothing outside the
 * repository (a fresh clone has no mission folder beside it). It was copied
 * byte for byte from the mission's `mas-treatment-seed.txt`, whose SHA-256 is
 * recorded here: a change to the bundled copy fails this test until the hash
 * (and the catalog) are updated on purpose.
 */
const bundledSeed = join(import.meta.dirname, 'mas-treatment-seed.txt');
const SEED_SHA256 =
  'e27dc7c4154d89b797afa34f94bf32d729bb0ddc68eee3b73fa4eced953bc0d5';

describe('evidence catalog', () => {
  it("holds the seed's 30 statements in its own words, with their sections and markers", () => {
    const parsed = parseSeed(readFileSync(bundledSeed, 'utf8'));
    expect(parsed).toHaveLength(30);
    expect(seedStatements).toHaveLength(30);
    seedStatements.forEach((statement, index) => {
      expect(statement.text).toBe(parsed[index]?.text);
      expect(statement.section).toBe(parsed[index]?.section);
      expect(statement.referenceMarkers).toEqual(parsed[index]?.markers);
    });
  });

  it('the bundled seed is the recorded mission seed, byte for byte', () => {
    const bytes = readFileSync(bundledSeed);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(SEED_SHA256);
  });

  it("every seed statement's id parses out of the seed: one name per section, numbered in order", () => {
    const parsed = parseSeed(readFileSync(bundledSeed, 'utf8'));
    const prefixOf = new Map<string, string>();
    const counts = new Map<string, number>();
    // The id each statement must have: its section's name (the name the
    // section's first statement uses) and its position in the section.
    const expected = seedStatements.map((statement, index) => {
      const section = parsed[index]?.section ?? '(no seed line)';
      const position = (counts.get(section) ?? 0) + 1;
      counts.set(section, position);
      if (section === 'Lead') return 'seed.lead';
      const name =
        /^seed\.([a-z]+(?:-[a-z]+)*)\.\d+$/.exec(statement.id)?.[1] ??
        '(malformed id)';
      const prefix = prefixOf.get(section) ?? name;
      prefixOf.set(section, prefix);
      return `seed.${prefix}.${String(position)}`;
    });
    expect(seedStatements.map((statement) => statement.id)).toEqual(expected);
    // One name per section, and no two sections share one.
    expect(new Set(prefixOf.values()).size).toBe(prefixOf.size);
    expect(prefixOf.size).toBe(new Set(parsed.map((p) => p.section)).size - 1);
  });

  it('has unique ids', () => {
    const ids = evidenceCatalog.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every evidence id the protocol data names exists in the catalog', () => {
    const referenced = new Set<string>();
    const walk = (value: unknown, key: string): void => {
      if (Array.isArray(value)) {
        if (/evidence$/i.test(key))
          value.forEach((id) => referenced.add(String(id)));
        else
          value.forEach((item) => {
            walk(item, '');
          });
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) walk(v, k);
      }
    };
    walk(masProtocolDefinition, '');
    expect(referenced.size).toBeGreaterThan(10);
    const missing = [...referenced].filter(
      (id) => findEvidence(id) === undefined,
    );
    expect(missing).toEqual([]);
  });

  it("anti-IL-18 therapy is investigational: in the catalog, not among the protocol's drugs [seed.emerging.2]", () => {
    expect(findEvidence('seed.emerging.2')?.text).toMatch(
      /Anti-IL-18 therapy is being investigated/,
    );
    expect(drugIds.some((drug) => /il-?18|tadekinig/i.test(drug))).toBe(false);
  });
});
