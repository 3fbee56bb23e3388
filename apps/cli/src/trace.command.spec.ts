import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { seedStatements } from '@mas/protocol';

import { type CliIo, runCli } from './cli.js';
import {
  buildTrace,
  formatTrace,
  knownUntested,
  noMachineElement,
  testLinksOf,
  type TraceEntry,
  traceProblems,
} from './trace.command.js';

const workspaceRoot = join(import.meta.dirname, '../../..');

const spec = (source: string) => testLinksOf('x.spec.ts', source);

describe('which tests count for a statement', () => {
  it('an id in a describe title does not count for the tests inside it', () => {
    const links = spec(`
      describe('EBV-associated MAS [seed.refractory.4]', () => {
        it('etoposide dose', () => {});
      });
    `);
    expect(links).toEqual([
      {
        name: 'x.spec.ts › EBV-associated MAS [seed.refractory.4] › etoposide dose',
        own: [],
        inherited: ['seed.refractory.4'],
      },
    ]);
  });

  it('an id in the test title counts, for that test only', () => {
    const links = spec(`
      describe('refractory drugs [seed.refractory.3]', () => {
        it('rituximab 375 mg/m2 [seed.refractory.4]', () => {});
        it.only('etoposide [seed.refractory.3]', () => {});
        test('emapalumab', () => {});
      });
    `);
    expect(links.map((l) => [l.own, l.inherited])).toEqual([
      [['seed.refractory.4'], ['seed.refractory.3']],
      [['seed.refractory.3'], []],
      [[], ['seed.refractory.3']],
    ]);
  });

  it('each-forms, nested and Playwright describes keep the whole title chain', () => {
    const links = spec(`
      describe.each(engines)('API on %s [seed.initial.1]', (engine) => {
        test.describe('nested', () => {
          it.each([1, 2])('dose %p [seed.initial.3]', (n) => {});
          test.skip('skipped', () => {});
        });
      });
      it.each\`a\`('table %s [seed.lead]', () => {});
    `);
    expect(links).toEqual([
      {
        name: 'x.spec.ts › API on %s [seed.initial.1] › nested › dose %p [seed.initial.3]',
        own: ['seed.initial.3'],
        inherited: ['seed.initial.1'],
      },
      {
        name: 'x.spec.ts › API on %s [seed.initial.1] › nested › skipped',
        own: [],
        inherited: ['seed.initial.1'],
      },
      {
        name: 'x.spec.ts › table %s [seed.lead]',
        own: ['seed.lead'],
        inherited: [],
      },
    ]);
  });

  it('an id only in the body of a test is not a link', () => {
    const links = spec(`
      it('the dose', () => { expect(dose.evidence).toContain('seed.initial.1'); });
    `);
    expect(links[0]?.own).toEqual([]);
  });
});

const entry = (overrides: Partial<TraceEntry>): TraceEntry => ({
  id: 'seed.refractory.4',
  section: 'Advanced Therapies for Refractory Cases',
  text: 'For MAS associated with EBV infection, rituximab may be beneficial',
  elements: ['state:masEpisode.open.triggers.ebv.present'],
  tests: [],
  inherited: [],
  ...overrides,
});

describe('untested statements are visible and fail the check', () => {
  const inheritedOnly = entry({
    inherited: ['x.spec.ts › EBV [seed.refractory.4] › etoposide dose'],
  });

  it('a statement with only inherited links is untested, and says so', () => {
    const text = formatTrace([inheritedOnly], undefined);
    expect(text).toMatch(/tests \(0\): UNTESTED \(inherited only/);
    expect(text).toMatch(
      /inherited from describe titles, not counted \(1\):\n {4}- x\.spec\.ts › EBV/,
    );
    expect(text).toMatch(
      /1 statements: 0\/1 tested by a test of their own, 1 untested \(1 inherited only\); 0 links \(1 inherited, not counted\)/,
    );
    expect(traceProblems([inheritedOnly])).toEqual([
      'seed.refractory.4: no test names it in its own title (inherited only: 1 from describe titles)',
    ]);
  });

  it('a known gap with a reason passes the check, and the reason cannot go stale', () => {
    expect(traceProblems([entry({ untested: 'no scenario yet' })])).toEqual([]);
    expect(
      traceProblems([
        entry({ untested: 'no scenario yet', tests: ['x.spec.ts › t'] }),
      ]),
    ).toEqual([
      'seed.refractory.4: listed as untested but has 1 test(s): remove it from knownUntested',
    ]);
    expect(
      traceProblems([entry({ elements: [], tests: ['x.spec.ts › t'] })]),
    ).toEqual(['seed.refractory.4: no machine element']);
  });
});

describe('seed-to-test trace of this repository', () => {
  const trace = buildTrace(workspaceRoot);

  it("has one entry per seed statement, in the seed's own words", () => {
    expect(trace.map((e) => e.id)).toEqual(seedStatements.map((s) => s.id));
    expect(trace).toHaveLength(30);
    expect(trace[1]).toMatchObject({
      id: 'seed.initial.1',
      section: 'Initial Treatment',
      text: expect.stringMatching(
        /^High-dose glucocorticoids are the mainstay/,
      ),
    });
  });

  it('every statement has a test of its own, except the listed gaps (each with a reason)', () => {
    const untested = trace.filter((e) => e.tests.length === 0);
    expect(untested.map((e) => e.id)).toEqual(Object.keys(knownUntested));
    expect(traceProblems(trace)).toEqual([]);
  });

  it('no test links a statement only through a describe title', () => {
    expect(
      trace.filter((e) => e.inherited.length > 0).map((e) => e.inherited),
    ).toEqual([]);
  });

  it('links point at the test that exercises the statement: rituximab for EBV is not an etoposide test', () => {
    const rituximab = trace.find((e) => e.id === 'seed.refractory.4');
    expect(rituximab?.tests.length).toBeGreaterThan(0);
    expect(rituximab?.tests.filter((t) => /etoposide/i.test(t))).toEqual([]);
    expect(rituximab?.tests).toContain(
      'machines/mas-episode/src/lib/scenarios/ebv.machine.spec.ts › Eun, 15, SLE: EBV-associated MAS › rituximab is gated on EBV alone (not on refractoriness) and on HBV serology [seed.refractory.4]',
    );
    for (const e of trace) {
      for (const test of e.tests) {
        expect(test.split(' › ').at(-1)).toContain(e.id);
      }
    }
  });

  it('every statement has a machine element, or says why not (and the reason cannot go stale)', () => {
    const explained = trace.filter((e) => e.id in noMachineElement);
    expect(explained.map((e) => e.elements)).toEqual(explained.map(() => []));
    expect(explained.every((e) => e.why !== undefined)).toBe(true);
    const others = trace.filter((e) => !(e.id in noMachineElement));
    expect(
      others.filter((e) => e.elements.length === 0).map((e) => e.id),
    ).toEqual([]);
  });

  it('finds elements from the code: states, guards, alerts and properties', () => {
    const initial2 = trace.find((e) => e.id === 'seed.initial.2');
    expect(initial2?.elements).toEqual(
      expect.arrayContaining([
        'alert:cns-without-dexamethasone',
        'property:P5',
        'state:masEpisode.open.treatment.active.firstLine',
      ]),
    );
    const refractory1 = trace.find((e) => e.id === 'seed.refractory.1');
    expect(refractory1?.elements).toEqual(
      expect.arrayContaining(['guard:escalationEvidence', 'property:P2']),
    );
  });

  it('the readable table ends with the totals and a coverage line', () => {
    const text = formatTrace(trace, {
      states: { visited: 3, total: 4, unvisited: ['x'] },
      transitions: { visited: 1, total: 2, unvisited: ['y'] },
    });
    const tested = 30 - Object.keys(knownUntested).length;
    expect(text).toMatch(
      new RegExp(
        `30 statements: ${tested}/30 tested by a test of their own, ${30 - tested} untested \\(0 inherited only\\); \\d+ links \\(0 inherited, not counted\\); 29 with machine elements, 1 explained without one\\.`,
      ),
    );
    expect(text).toMatch(
      /Coverage by the scenario specs: 3\/4 states, 1\/2 transitions\./,
    );
  });

  it('trace --check exits 0 here, and prints the table', () => {
    const io: CliIo = {
      stdin: () => '',
      readFile: (path) => readFileSync(path, 'utf8'),
      defaultProfilePath: join(
        workspaceRoot,
        'libs/protocol/profiles/example.profile.json',
      ),
      workspaceRoot,
    };
    const outcome = runCli(['trace', '--check'], io);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^Seed statement trace/);
  });
});
