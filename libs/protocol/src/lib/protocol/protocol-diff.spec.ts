import { describe, expect, it } from '@jest/globals';

import { findEvidence } from '../evidence/evidence-catalog.constant.js';
import { contentHash } from './content-hash.util.js';
import { masProtocolDefinition } from './mas-protocol.constant.js';
import { masProtocol } from './mas-protocol.js';
import { diffProtocols } from './protocol-diff.js';
import {
  compareVersions,
  deployedProtocolVersion,
  deployedProtocolVersions,
  findProtocolVersion,
  type ProtocolVersion,
  protocolVersions,
  unversionedDefinition,
} from './protocol-versions.js';

/** Editable all the way down (a draft of the data in a test). */
type Draft<T> = T extends readonly (infer U)[]
  ? Draft<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Draft<T[K]> }
    : T;
type Definition = Draft<typeof masProtocolDefinition>;

const [deployed, ldh] = protocolVersions as [ProtocolVersion, ProtocolVersion];

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
    definition: definition as unknown as ProtocolVersion['definition'],
    hash: contentHash({
      definition,
      evidence: deployed.evidence,
      recording: deployed.recording,
    }),
  };
}

describe('compareVersions: one order for protocol and profile versions', () => {
  it('compares numbers part by part, not text', () => {
    expect(['1.10.0', '1.9.0', '2.0.0', '1.9.1'].sort(compareVersions)).toEqual(
      ['1.9.0', '1.9.1', '1.10.0', '2.0.0'],
    );
    expect(compareVersions('1.1.0', '1.0.9')).toBeGreaterThan(0);
    expect(compareVersions('1.0.9', '1.1.0')).toBeLessThan(0);
    expect(compareVersions('1.2.0', '1.2.0')).toBe(0);
    // A missing part counts as zero.
    expect(compareVersions('1.2', '1.2.0')).toBe(0);
  });
});

describe('protocol versions', () => {
  it('1.0.0 (the default current version) and 1.1.0 are both deployed: episodes run under either', () => {
    expect(deployed).toMatchObject({
      id: masProtocol.id,
      version: masProtocol.version,
      hash: masProtocol.hash,
      status: 'deployed',
    });
    expect(ldh).toMatchObject({ version: '1.1.0', status: 'deployed' });
    expect(deployedProtocolVersions).toEqual([deployed, ldh]);
    expect(deployedProtocolVersion('1.1.0')).toBe(ldh);
    expect(() => deployedProtocolVersion('9.9.9', 'body.toVersion')).toThrow(
      'body.toVersion: must be a deployed protocol version (1.0.0, 1.1.0), not 9.9.9',
    );
    expect(findProtocolVersion('1.1.0')).toBe(ldh);
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
    expect(ldh.hash).not.toBe(deployed.hash);
  });

  it('deployed versions differ only where the machine reads the episode’s own version (else an episode would run under rules it does not record)', () => {
    const unversioned = unversionedDefinition;
    for (const version of deployedProtocolVersions) {
      expect([version.version, unversioned(version.definition)]).toEqual([
        version.version,
        unversioned(masProtocolDefinition),
      ]);
    }
    // The check can fail: a deployed version with another threshold, or
    // another reassessment interval, would.
    for (const edit of [
      (d: Definition) => {
        d.mas2016.minimumAdditionalMet += 1;
      },
      (d: Definition) => {
        d.monitoring.reassessmentIntervalHours += 1;
      },
    ]) {
      expect(unversioned(edited('1.2.0', edit).definition)).not.toEqual(
        unversioned(masProtocolDefinition),
      );
    }
    // ...and the monitoring items may differ.
    const items = edited('1.2.0', (d) => {
      (d.monitoring.items as string[]).push('ldh');
    });
    expect(unversioned(items.definition)).toEqual(
      unversioned(masProtocolDefinition),
    );
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

  it('1.1.0: LDH added to the reassessment panel, with the new evidence entry', () => {
    const diff = diffProtocols(deployed, ldh);
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
    expect(diffProtocols(ldh, deployed).changes).toEqual([
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
    const diff = diffProtocols(deployed, ldh);
    for (const change of diff.changes) {
      for (const id of change.evidence) {
        expect(
          [findEvidence(id), ldh.evidence.find((e) => e.id === id)].some(
            Boolean,
          ),
        ).toBe(true);
      }
    }
  });
});
