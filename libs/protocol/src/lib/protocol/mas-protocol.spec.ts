import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { contentHash } from './content-hash.util.js';
import { masProtocolDefinition } from './mas-protocol.constant.js';
import { masProtocol } from './mas-protocol.js';

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
