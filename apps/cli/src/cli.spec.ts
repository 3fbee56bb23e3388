import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { standardPrescription } from '@mas/mas-episode';
import { type DrugId, parseInstitutionProfile } from '@mas/protocol';
import {
  hscoreWorkedExamples,
  mas2016WorkedExamples,
} from '@mas/protocol/testing';

import { type CliIo, runCli } from './cli.js';

const workspaceRoot = join(import.meta.dirname, '../../..');
const defaultProfilePath = join(
  workspaceRoot,
  'libs/protocol/profiles/example.profile.json',
);

function io(stdin: unknown, files: Record<string, string> = {}): CliIo {
  return {
    stdin: () => (typeof stdin === 'string' ? stdin : JSON.stringify(stdin)),
    readFile: (path) => {
      const content =
        files[path] ??
        (path === defaultProfilePath ? readFileSync(path, 'utf8') : undefined);
      if (content === undefined) throw new Error(`ENOENT ${path}`);
      return content;
    },
    defaultProfilePath,
    workspaceRoot,
  };
}

const run = (
  argv: string[],
  stdin: unknown = '',
  files?: Record<string, string>,
) => {
  const outcome = runCli(argv, io(stdin, files));
  return {
    ...outcome,
    json: outcome.stdout ? (JSON.parse(outcome.stdout) as unknown) : undefined,
  };
};

describe('cli: scores', () => {
  it('score hscore gives score, probability and criteria', () => {
    const { code, json } = run(
      ['score', 'hscore'],
      hscoreWorkedExamples[1].panel,
    );
    expect(code).toBe(0);
    expect(json).toMatchObject({
      score: 172,
      probability: '54-70%',
      meetsCutoff: true,
    });
    expect((json as { criteria: unknown[] }).criteria).toHaveLength(9);
  });

  it('an array in gives an array of results out, in order', () => {
    const { code, json } = run(
      ['score', 'mas2016'],
      mas2016WorkedExamples.map((e) => e.panel),
    );
    expect(code).toBe(0);
    expect(
      (json as { classified: boolean }[]).map((r) => r.classified),
    ).toEqual(mas2016WorkedExamples.map((e) => e.classified));
  });

  it('score hlh2004, msscore and ferritin-esr answer with their shapes', () => {
    const panel = {
      febrile: true,
      ferritin: { value: 20000, unit: 'ng/mL' },
      platelets: { value: 90, unit: '10*9/L' },
      hemoglobin: { value: 85, unit: 'g/L' },
      neutrophils: { value: 0.8, unit: '10*9/L' },
      fibrinogen: { value: 450, unit: 'mg/dL' },
      ldh: { value: 800, unit: 'U/L' },
      esr: { value: 10, unit: 'mm/h' },
    };
    expect(run(['score', 'hlh2004'], panel).json).toMatchObject({
      criteriaMet: 3,
      diagnosis: false,
    });
    expect(run(['score', 'msscore'], panel).json).toMatchObject({
      score: 0.73,
      considerMas: true,
    });
    expect(run(['score', 'ferritin-esr'], panel).json).toMatchObject({
      ratio: 2000,
      suggestsMas: true,
    });
  });
});

describe('cli: bad input is exit 2 with one line naming the field', () => {
  it.each([
    [['score', 'hscore'], '{ not json', /^error: stdin: is not valid JSON/],
    [
      ['score', 'mas2016'],
      { ferritin: { value: 1, unit: 'mg' } },
      /^error: ferritin\.unit: "mg" is not an accepted unit/,
    ],
    [
      ['score', 'mas2016'],
      [mas2016WorkedExamples[0].panel, { febrile: 'yes' }],
      /^error: \[1\]\.febrile: /,
    ],
    [['score', 'hscore'], 42, /^error: panel: must be a JSON object/],
    [['score', 'nonsense'], {}, /^error: score needs one of/],
    [
      ['dose', 'methylprednisolone'],
      { weightKg: 20, mgPerKg: 45 },
      /^error: mgPerKg: 45 is outside the range 15-30/,
    ],
    [
      ['dose', 'aspirin'],
      { weightKg: 20 },
      /^error: drug: "aspirin" is not a drug/,
    ],
    [['frobnicate'], {}, /^error: unknown command/],
    [['score', 'hscore', '--verbose'], {}, /^error: unknown option --verbose/],
  ])('%p with %p', (argv, stdin, message) => {
    const { code, stdout, stderr } = run(argv, stdin);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('cli: doses and the institution profile', () => {
  it('dose methylprednisolone shows the cap that applied', () => {
    const { code, json } = run(['dose', 'methylprednisolone'], {
      weightKg: 40,
      mgPerKg: 30,
    });
    expect(code).toBe(0);
    expect(json).toMatchObject({
      doseMg: 1000,
      capApplied: true,
      uncappedDoseMg: 1200,
    });
  });

  it('uses the example profile by default and says it is an example', () => {
    const { json } = run(['dose', 'dexamethasone'], {
      weightKg: 30,
      heightCm: 120,
      route: 'iv',
    });
    expect(json).toMatchObject({ doseMg: 10, profile: { example: true } });
  });

  it('--profile FILE selects another profile; a bad one is exit 2 naming the field', () => {
    const raw = JSON.parse(readFileSync(defaultProfilePath, 'utf8')) as {
      doses: Record<string, unknown>;
    };
    const other = JSON.stringify({
      ...raw,
      profileId: 'ward-7',
      doses: { ...raw.doses, dexamethasone: { mgPerM2PerDay: 6 } },
    });
    const good = run(
      ['dose', 'dexamethasone', '--profile', '/p.json'],
      { weightKg: 30, heightCm: 120, route: 'iv' },
      { '/p.json': other },
    );
    expect(good.json).toMatchObject({
      doseMg: 6,
      profile: { profileId: 'ward-7' },
    });

    const broken = JSON.stringify({
      ...raw,
      doses: { ...raw.doses, dexamethasone: { mgPerM2PerDay: 'ten' } },
    });
    const bad = run(
      ['dose', 'dexamethasone', '--profile', '/b.json'],
      { weightKg: 30, heightCm: 120 },
      { '/b.json': broken },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^error: profile\.doses\.dexamethasone\.mgPerM2PerDay: /,
    );

    const missing = run(['dose', 'dexamethasone', '--profile', '/none.json'], {
      weightKg: 30,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^error: --profile: cannot read \/none\.json/,
    );
  });

  it('response compares two panels', () => {
    const panel = (ferritin: number) => ({
      ferritin: { value: ferritin, unit: 'ng/mL' },
      platelets: { value: 80, unit: '10*9/L' },
      fibrinogen: { value: 1.2, unit: 'g/L' },
    });
    expect(
      run(['response'], { baseline: panel(10000), current: panel(4000) }).json,
    ).toMatchObject({ verdict: 'responding' });
  });

  it('profile prints the profile in use with its hash; --schema its JSON Schema', () => {
    expect(run(['profile']).json).toMatchObject({
      profileId: 'example-institution',
      example: true,
      hash: expect.stringMatching(/^sha256:/),
    });
    expect(run(['profile', '--schema']).json).toMatchObject({ type: 'object' });
  });
});

describe('cli: protocol and evidence', () => {
  it('protocol prints the definition with its version and hash', () => {
    expect(run(['protocol']).json).toMatchObject({
      id: 'mas-protocol',
      version: '1.0.0',
      hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
  });

  it('protocol versions lists both deployed versions, each with its hash', () => {
    expect(run(['protocol', 'versions']).json).toEqual([
      expect.objectContaining({ version: '1.0.0', status: 'deployed' }),
      expect.objectContaining({
        version: '1.1.0',
        status: 'deployed',
        hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      }),
    ]);
  });

  it('protocol diff prints what 1.1.0 changes, in words, with the evidence and its tag', () => {
    const outcome = runCli(['protocol', 'diff', '1.0.0', '1.1.0'], io(''));
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain(
      'Monitoring › Items each reassessment panel should hold › LDH\n    added to the list\n',
    );
    expect(outcome.stdout).toMatch(/lit\.emapalumab-mas-pooled \(.*\[U\]\)/);
    expect(outcome.stdout).toContain('Protocol data: 1 change(s)');
    expect(outcome.stdout).toContain('Evidence catalog: 1 change(s)');
    expect(
      run(['protocol', 'diff', '1.0.0', '1.1.0', '--json']).json,
    ).toMatchObject({
      from: { version: '1.0.0' },
      to: { version: '1.1.0' },
      changes: [{ change: 'added', path: ['monitoring', 'items', '=ldh'] }],
    });
  });

  it('protocol diff with an unknown or missing version is exit 2 naming the argument', () => {
    expect(runCli(['protocol', 'diff', '1.0.0', '2.0'], io(''))).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(
        /^error: TO: "2\.0" is not a protocol version this build knows \(1\.0\.0, 1\.1\.0\)/,
      ),
    });
    expect(runCli(['protocol', 'diff'], io('')).stderr).toMatch(
      /^error: TO: is required/,
    );
    expect(runCli(['protocol', 'migrate'], io('')).code).toBe(2);
  });

  it('protocol check-migration refuses a plan into a state the statechart lacks (exit 1, named), a malformed plan or another pair (exit 2, the field named)', () => {
    const plan = {
      from: '1.0.0',
      to: '1.1.0',
      summary: 'a plan under review',
      states: { 'open.hold.none': 'open.hold.elsewhere' },
      context: { carry: 'all', recomputedAtNext: [] },
      evidence: [],
    };
    const files = { 'plan.json': JSON.stringify(plan) };
    const refused = runCli(
      ['protocol', 'check-migration', '1.0.0', '1.1.0', '--plan', 'plan.json'],
      io('', files),
    );
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('Migration plan 1.0.0 -> 1.1.0 (sha256:');
    expect(refused.stdout).toContain('REFUSED');
    expect(refused.stdout).toContain(
      'The state map is unsound as written:\n  - open.hold.elsewhere is not a state of the statechart',
    );
    const malformed = run(
      ['protocol', 'check-migration', '1.0.0', '1.1.0', '--plan', 'bad.json'],
      '',
      { 'bad.json': JSON.stringify({ ...plan, context: { carry: 'some' } }) },
    );
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^error: plan\.context\.carry: /);
    const otherPair = run(
      ['protocol', 'check-migration', '1.1.0', '1.0.0', '--plan', 'plan.json'],
      '',
      files,
    );
    expect(otherPair.stderr).toBe(
      'error: plan: leads from 1.0.0 to 1.1.0, not from 1.1.0 to 1.0.0\n',
    );
    expect(run(['protocol', 'check-migration', '1.1.0', '1.0.0']).stderr).toBe(
      'error: plan: no migration plan from 1.1.0 to 1.0.0 is shipped (give one with --plan FILE)\n',
    );
    expect(
      run(['protocol', 'check-migration', '1.0.0', '1.1.0', '--slice', 'x'])
        .stderr,
    ).toMatch(/^error: --slice must be one of: timeline; /);
  });

  it('evidence lists the catalog, the 30 seed statements first', () => {
    const entries = run(['evidence']).json as { id: string; kind: string }[];
    expect(entries.filter((e) => e.kind === 'seed-statement')).toHaveLength(30);
    expect(entries[0]?.id).toBe('seed.lead');
  });

  it('help says it is decision support, not a medical device', () => {
    expect(runCli(['help'], io('')).stdout).toMatch(/not a medical device/);
  });
});

describe('cli: the real command from the workspace root', () => {
  it('npm run -s cli -- score hscore: JSON out, exit 0; bad input: exit 2 and one stderr line', () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const ok = spawnSync(npm, ['run', '-s', 'cli', '--', 'score', 'hscore'], {
      cwd: workspaceRoot,
      input: JSON.stringify(hscoreWorkedExamples[0].panel),
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ score: 254 });

    const bad = spawnSync(npm, ['run', '-s', 'cli', '--', 'score', 'hscore'], {
      cwd: workspaceRoot,
      input: JSON.stringify({ ast: { value: 40, unit: 'IU' } }),
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim()).toMatch(
      /^error: ast\.unit: "IU" is not an accepted unit/,
    );
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('cli: replay through the care-episode statechart', () => {
  const patient = {
    identifier: 'SYN-BEN-16',
    weightKg: 55,
    heightCm: 170,
    birthDate: '2010-02-02',
    sex: 'male',
    underlyingDisease: 'sJIA',
  };
  const profile = parseInstitutionProfile(
    JSON.parse(readFileSync(defaultProfilePath, 'utf8')),
  );
  const clinician = { id: 'dr-adams', role: 'clinician' };
  const labs = {
    type: 'labs.recorded',
    at: '2026-03-01T08:30:00Z',
    actor: { id: 'nurse-diaz', role: 'nurse' },
    payload: {
      panel: hscoreWorkedExamples[0].panel,
      collectedAt: '2026-03-01T08:30:00Z',
    },
  };
  /** A complete therapy record: the standard prescription, given at `at`. */
  const started = (drug: DrugId, at: string, extra: object = {}) => ({
    type: 'therapy.started',
    at,
    actor: clinician,
    payload: {
      drug,
      ...standardPrescription(drug, patient, profile),
      givenAt: at,
      ...extra,
    },
  });
  // Ben, 55 kg: 30 mg/kg lowered to the 1 g maximum per infusion.
  const steroid = started('methylprednisolone', '2026-03-01T09:00:00Z');

  it('prints the final state, stage, tags, summary, alerts, allowed and blocked events', () => {
    const { code, json } = run(['replay'], {
      patient,
      events: [labs, steroid],
    });
    expect(code).toBe(0);
    expect(json).toMatchObject({
      value: {
        open: { diagnosis: 'suspected', treatment: { active: 'firstLine' } },
      },
      stage: 'MAS suspected · first line: high-dose glucocorticoids',
      tags: expect.arrayContaining(['first-line', 'suspected']),
      summary: {
        patient: 'SYN-BEN-16',
        hoursSuspicionToGlucocorticoid: 0.5,
        protocol: { version: '1.0.0' },
        profile: { example: true },
      },
      alerts: [],
    });
    const { allowed, blocked } = json as {
      allowed: { type: string; variant?: string }[];
      blocked: { type: string; variant?: string; reason: string }[];
    };
    expect(allowed).toContainEqual({
      type: 'therapy.started',
      variant: 'dexamethasone',
      label: 'Start dexamethasone',
    });
    expect(blocked).toContainEqual(
      expect.objectContaining({
        type: 'therapy.started',
        variant: 'emapalumab',
        reason: expect.stringMatching(/inadequate response/),
      }),
    );
  });

  it('a rejected event stops the replay: exit 2 naming the event and why', () => {
    const emapalumab = started('emapalumab', '2026-03-01T10:00:00Z');
    const { code, stderr } = run(['replay'], {
      patient,
      events: [labs, steroid, emapalumab],
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^error: events\[2\]: \(Start emapalumab: therapy\.started at 2026-03-01T10:00:00Z\) rejected: emapalumab is refractory therapy/,
    );
  });

  it('a malformed event or patient is exit 2 naming the field', () => {
    expect(
      run(['replay'], {
        patient,
        events: [
          { ...steroid, payload: { ...steroid.payload, drug: 'aspirin' } },
        ],
      }).stderr,
    ).toMatch(/^error: events\[0\]\.payload\.drug: /);
    expect(
      run(['replay'], {
        patient: { ...patient, weightKg: -3 },
        events: [steroid],
      }).stderr,
    ).toMatch(/^error: patient\.weightKg: /);
    expect(
      run(['replay'], { patient, events: [{ ...steroid, at: 'yesterday' }] })
        .stderr,
    ).toMatch(/^error: events\[0\]\.at: /);
  });

  it('an incomplete therapy record is exit 2 naming the missing field', () => {
    const { dose: _dose, ...withoutDose } = steroid.payload;
    const { code, stdout, stderr } = run(['replay'], {
      patient,
      events: [labs, { ...steroid, payload: withoutDose }],
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: events\[1\]\.payload\.dose: /);
    expect(
      run(['replay'], {
        patient,
        events: [{ ...labs, payload: { panel: labs.payload.panel } }],
      }).stderr,
    ).toMatch(/^error: events\[0\]\.payload\.collectedAt: /);
  });

  it('shows the doses as given: unit, route, schedule, when given and when recorded, and the dose check', () => {
    const given = started('methylprednisolone', '2026-03-01T09:30:00Z', {
      dose: { value: 1, unit: 'g' },
      givenAt: '2026-03-01T09:00:00Z',
    });
    const { code, json } = run(['replay'], { patient, events: [labs, given] });
    expect(code).toBe(0);
    expect(json).toMatchObject({
      summary: {
        activeTherapies: [
          {
            drug: 'methylprednisolone',
            since: '2026-03-01T09:00:00.000Z',
            dose: { value: 1, unit: 'g' },
            route: 'iv',
            schedule: { kind: 'pulse', day: 1, of: 3 },
            recordedAt: '2026-03-01T09:30:00.000Z',
            doseCheck: { tier: 'within' },
          },
        ],
        // Timed from when it was given, not when it was recorded.
        hoursSuspicionToGlucocorticoid: 0.5,
      },
    });
  });

  it('a dose outside the soft limits needs its confirmation; a tenfold dose is refused: exit 2 naming the event', () => {
    const soft = started('methylprednisolone', '2026-03-01T09:00:00Z', {
      dose: { value: 600, unit: 'mg' },
    });
    expect(run(['replay'], { patient, events: [labs, soft] }).stderr).toMatch(
      /^error: events\[1\]: \(Start methylprednisolone: therapy\.started at 2026-03-01T09:00:00Z\) rejected: outside the dose range, confirm with a reason \(doseConfirmation\): methylprednisolone 600 mg is below the soft limit of 825 mg/,
    );
    const confirmed = run(['replay'], {
      patient,
      events: [
        labs,
        {
          ...soft,
          payload: { ...soft.payload, doseConfirmation: 'tapering dose' },
        },
      ],
    });
    expect(confirmed.code).toBe(0);
    expect(confirmed.json).toMatchObject({
      summary: {
        activeTherapies: [
          {
            dose: { value: 600, unit: 'mg' },
            doseCheck: {
              tier: 'soft',
              confirmedBy: { id: 'dr-adams' },
              confirmation: 'tapering dose',
            },
          },
        ],
      },
    });
    const tenfold = started('methylprednisolone', '2026-03-01T09:00:00Z', {
      dose: { value: 10, unit: 'g' },
      doseConfirmation: 'I am sure',
    });
    expect(
      run(['replay'], { patient, events: [labs, tenfold] }).stderr,
    ).toMatch(
      /^error: events\[1\]: \(Start methylprednisolone: therapy\.started at 2026-03-01T09:00:00Z\) rejected: hard dose limit: methylprednisolone 10000 mg is above the hard limit of 3000 mg/,
    );
  });
});

describe('cli: replay of several courses', () => {
  const ben = {
    identifier: 'SYN-BEN-16',
    weightKg: 55,
    heightCm: 170,
    birthDate: '2010-02-02',
    sex: 'male',
    underlyingDisease: 'sJIA',
  };
  const amira = {
    identifier: 'SYN-AMIRA-7',
    weightKg: 24,
    heightCm: 122,
    birthDate: '2019-05-14',
    sex: 'female',
    underlyingDisease: 'sJIA',
  };
  const profile = parseInstitutionProfile(
    JSON.parse(readFileSync(defaultProfilePath, 'utf8')),
  );
  /** Labs, then a pulse: the standard prescription, changed by `change`. */
  const course = (
    patient: typeof ben,
    change: (payload: Record<string, unknown>) => Record<string, unknown> = (
      payload,
    ) => payload,
  ) => ({
    patient,
    events: [
      {
        type: 'labs.recorded',
        at: '2026-03-01T08:30:00Z',
        actor: { id: 'nurse-diaz', role: 'nurse' },
        payload: {
          panel: hscoreWorkedExamples[0].panel,
          collectedAt: '2026-03-01T08:30:00Z',
        },
      },
      {
        type: 'therapy.started',
        at: '2026-03-01T09:00:00Z',
        actor: { id: 'dr-adams', role: 'clinician' },
        payload: change({
          drug: 'methylprednisolone',
          ...standardPrescription('methylprednisolone', patient, profile),
          givenAt: '2026-03-01T09:00:00Z',
        }),
      },
    ],
  });
  const dosed =
    (dose: { value: number; unit: string }) =>
    (payload: Record<string, unknown>) => ({ ...payload, dose });

  it('an array of courses in gives an array of answers out, in order, each as its own replay', () => {
    const courses = [
      course(ben),
      course(amira),
      course(ben, dosed({ value: 1, unit: 'g' })),
    ];
    const { code, json } = run(['replay'], courses);
    expect(code).toBe(0);
    expect(Array.isArray(json)).toBe(true);
    const answers = json as {
      summary: {
        patient: string;
        activeTherapies: { dose: { value: number; unit: string } }[];
      };
    }[];
    expect(answers.map((a) => a.summary.patient)).toEqual([
      'SYN-BEN-16',
      'SYN-AMIRA-7',
      'SYN-BEN-16',
    ]);
    // Each dose as given: Ben's 1000 mg, Amira's 720 mg, Ben's 1 g.
    expect(answers.map((a) => a.summary.activeTherapies[0]?.dose)).toEqual([
      { value: 1000, unit: 'mg' },
      { value: 720, unit: 'mg' },
      { value: 1, unit: 'g' },
    ]);
    courses.forEach((one, index) => {
      expect(answers[index]).toEqual(run(['replay'], one).json);
    });
    // One course in (not in an array): one answer out.
    expect(Array.isArray(run(['replay'], course(amira)).json)).toBe(false);
    expect(run(['replay'], []).json).toEqual([]);
  });

  it('a bad course is exit 2 naming its [index], and nothing is printed for the good ones', () => {
    const broken = course(amira, (payload) =>
      Object.fromEntries(
        Object.entries(payload).filter(([key]) => key !== 'dose'),
      ),
    );
    const missing = run(['replay'], [course(ben), broken, course(amira)]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(
      /^error: \[1\]\.events\[1\]\.payload\.dose: /,
    );
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);

    // A tenfold dose for Amira (24 kg): refused by the machine, named by course.
    const refused = run(
      ['replay'],
      [
        course(ben),
        course(ben),
        course(amira, dosed({ value: 7.2, unit: 'g' })),
      ],
    );
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      /^error: \[2\]\.events\[1\]: \(Start methylprednisolone: therapy\.started at 2026-03-01T09:00:00Z\) rejected: hard dose limit: /,
    );
    expect(
      run(
        ['replay'],
        [course(ben), { ...course(ben), patient: { ...ben, weightKg: -3 } }],
      ).stderr,
    ).toMatch(/^error: \[1\]\.patient\.weightKg: /);
    expect(run(['replay'], [course(ben), 42]).stderr).toMatch(/^error: \[1\]/);
  });
});

describe('cli: verify', () => {
  it('a run that hits its state limit is inconclusive, never "holds", and exits 1', () => {
    const { code, stdout } = runCli(['verify', '--limit', '20'], io(''));
    expect(code).toBe(1);
    expect(stdout).toMatch(/INCONCLUSIVE\s+P1 /);
    expect(stdout).not.toMatch(/^HOLDS/m);
    expect(stdout).toMatch(/no \(limit 20 states\)/);
  });

  it('a bad limit is exit 2', () => {
    expect(runCli(['verify', '--limit', 'many'], io('')).stderr).toMatch(
      /^error: --limit needs a positive whole number/,
    );
  });
});
