import { describe, expect, it } from '@jest/globals';

import { findEvidence } from '../evidence/evidence-catalog.constant.js';
import { contentHash } from './content-hash.util.js';
import { masProtocolDefinition } from './mas-protocol.constant.js';
import { masProtocol } from './mas-protocol.js';
import { diffProtocols } from './protocol-diff.js';
import {
  findProtocolVersion,
  type ProtocolVersion,
  protocolVersions,
} from './protocol-versions.js';

/** Editable all the way down (a draft of the data in a test). */
type Draft<T> = T extends readonly (infer U)[]
  ? Draft<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Draft<T[K]> }
    : T;
type Definition = Draft<typeof masProtocolDefinition>;

const [deployed, candidate] = protocolVersions as [
  ProtocolVersion,
  ProtocolVersion,
];

/** The deployed version with its definition edited (a draft in a test). */
function edited(
  version: string,
  edit: (definition: Definition) => void,
): ProtocolVersion {
  const definition = structuredClone(
    masProtocolDefinition,
  ) as unknown as Definition;
  edit(definition);
  return {
    ...deployed,
    version,
    status: 'candidate',
    definition,
    hash: contentHash({
      definition,
      evidence: deployed.evidence,
      recording: deployed.recording,
    }),
  };
}

describe('protocol versions', () => {
  it('the deployed version is the one episodes run under; the candidate is not deployed', () => {
    expect(deployed).toMatchObject({
      id: masProtocol.id,
      version: masProtocol.version,
      hash: masProtocol.hash,
      status: 'deployed',
    });
    expect(candidate).toMatchObject({ version: '1.1.0', status: 'candidate' });
    expect(protocolVersions.filter((v) => v.status === 'deployed')).toEqual([
      deployed,
    ]);
    expect(findProtocolVersion('1.1.0')).toBe(candidate);
    expect(findProtocolVersion('9.9.9')).toBeUndefined();
  });

  it("each version's hash is its content's: recomputed the same, and different between the two", () => {
    for (const version of protocolVersions) {
      expect(
        contentHash({
          definition: version.definition,
          evidence: version.evidence,
          recording: version.recording,
        }),
      ).toBe(version.hash);
    }
    expect(candidate.hash).not.toBe(deployed.hash);
  });

  it("every evidence id a version's data names is in that version's catalog", () => {
    for (const version of protocolVersions) {
      const ids = new Set(version.evidence.map((entry) => entry.id));
      const named = JSON.stringify(version.definition).match(
        /"(?:seed|lit|review|software)\.[a-z0-9.-]+"/g,
      );
      expect(named).not.toBeNull();
      for (const id of named ?? []) {
        expect([version.version, ids.has(id.slice(1, -1))]).toEqual([
          version.version,
          true,
        ]);
      }
    }
  });
});

describe('diffProtocols: what a version changes, in clinical words with its evidence', () => {
  it('a version against itself: no change', () => {
    expect(diffProtocols(deployed, deployed)).toEqual({
      from: { version: '1.0.0', hash: deployed.hash },
      to: { version: '1.0.0', hash: deployed.hash },
      changes: [],
      evidence: [],
    });
  });

  it('the candidate 1.1.0: LDH added to the reassessment panel, with the new evidence entry', () => {
    const diff = diffProtocols(deployed, candidate);
    expect(diff.changes).toEqual([
      {
        change: 'added',
        path: ['monitoring', 'items', '=ldh'],
        where: 'Monitoring › Items each reassessment panel should hold › LDH',
        after: 'ldh',
        evidence: [
          'seed.monitoring.2',
          'lit.emapalumab-mas-pooled',
          'lit.minoia-2019',
        ],
      },
    ]);
    expect(diff.evidence).toEqual([
      {
        change: 'added',
        id: 'lit.emapalumab-mas-pooled',
        after: expect.objectContaining({ tag: 'U', kind: 'literature' }),
      },
    ]);
    // Backwards: the same change, removed.
    expect(diffProtocols(candidate, deployed).changes).toEqual([
      expect.objectContaining({ change: 'removed', before: 'ldh' }),
    ]);
  });

  it('a threshold, a dose and a whole drug: changed, changed and removed, each with the evidence around it', () => {
    const draft = edited('2.0.0', (d) => {
      (d.mas2016.required.anyOf[0] as { value: number }).value = 700;
      (d.doses.emapalumab.phases.initial as { mgPerKg: number }).mgPerKg = 5;
      Reflect.deleteProperty(d.doses, 'rituximab');
    });
    expect(diffProtocols(deployed, draft).changes).toEqual([
      {
        change: 'changed',
        path: ['mas2016', 'required', 'anyOf', '#1', 'value'],
        where:
          '2016 EULAR/ACR/PRINTO classification criteria › Ferritin > 684 ng/mL › any of › item 1 › value',
        before: 684,
        after: 700,
        evidence: ['lit.ravelli-2016'],
      },
      {
        change: 'changed',
        path: ['doses', 'emapalumab', 'phases', 'initial', 'mgPerKg'],
        where: 'Doses › emapalumab › phases › initial › mg per kg',
        before: 6,
        after: 5,
        evidence: ['seed.refractory.1', 'lit.nct03311854'],
      },
      {
        change: 'removed',
        path: ['doses', 'rituximab'],
        where: 'Doses › rituximab',
        before: expect.objectContaining({ defaultMgPerM2: 375 }),
        evidence: ['seed.refractory.4', 'lit.chellapandian-2013'],
      },
    ]);
  });

  it('list items are matched by their id, not their place: a criterion moved is no change, one reworded is', () => {
    const moved = edited('2.0.1', (d) => {
      d.mas2016.additional = [...d.mas2016.additional].reverse();
    });
    expect(diffProtocols(deployed, moved).changes).toEqual([]);
    const reworded = edited('2.0.2', (d) => {
      d.mas2016.additional = d.mas2016.additional.map((criterion, index) =>
        index === 0 ? { ...criterion, label: 'Platelets low' } : criterion,
      );
    });
    const [change] = diffProtocols(deployed, reworded).changes;
    expect(change).toMatchObject({
      change: 'changed',
      where: expect.stringMatching(
        /^2016 EULAR\/ACR\/PRINTO .* › Platelets low › label$/,
      ),
      after: 'Platelets low',
    });
  });

  it('the version number is not a change; the recording rules are compared too', () => {
    const renumbered = edited('3.0.0', () => undefined);
    expect(diffProtocols(deployed, renumbered).changes).toEqual([]);
    const rules = structuredClone(deployed.recording) as {
      eventRoles: Record<string, string[]>;
    };
    rules.eventRoles['diagnosis.confirmed'] = ['senior'];
    const [change] = diffProtocols(deployed, {
      ...deployed,
      recording: rules,
    }).changes;
    expect(change).toMatchObject({
      where: expect.stringMatching(/^Who may record each event › /),
      evidence: ['software.recording', 'review.section-10'],
    });
  });

  it("every evidence id a change names resolves in one of the two versions' catalogs", () => {
    const diff = diffProtocols(deployed, candidate);
    for (const change of diff.changes) {
      for (const id of change.evidence) {
        expect(
          [findEvidence(id), candidate.evidence.find((e) => e.id === id)].some(
            Boolean,
          ),
        ).toBe(true);
      }
    }
  });
});
