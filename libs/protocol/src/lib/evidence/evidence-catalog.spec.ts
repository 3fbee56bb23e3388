import { existsSync, readFileSync } from 'node:fs';
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

const bundledSeed = join(import.meta.dirname, 'mas-treatment-seed.txt');
const sharedSeed = join(
  import.meta.dirname,
  '../../../../../../shared/mission/mas-treatment-seed.txt',
);

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

  it('the bundled seed is the mission seed, when the mission folder is beside the repository', () => {
    if (!existsSync(sharedSeed)) {
      console.warn(`skipped comparison: ${sharedSeed} is not present`);
      return;
    }
    expect(readFileSync(bundledSeed, 'utf8')).toBe(
      readFileSync(sharedSeed, 'utf8'),
    );
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
