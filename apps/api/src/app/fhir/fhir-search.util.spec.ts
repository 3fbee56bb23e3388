import { beforeAll, describe, expect, it } from '@jest/globals';
import type {
  AuditEvent,
  MedicationAdministration,
  Observation,
  Resource,
} from '@medplum/fhirtypes';

import { fhirEverythingQuery, fhirSearchQuery } from '@mas/contracts';
import { codeSystems, terminology } from '@mas/protocol';

import { fhirCourses } from '../../spec-support/fhir-courses.spec-support.js';
import {
  type FhirResourceType,
  fhirResourceTypes,
} from './fhir-bundle.util.js';
import { episodeResources } from './fhir-resources.util.js';
import {
  dateRange,
  declaredSearchParameters,
  EVERYTHING_PAGE,
  FhirSearchError,
  MAX_PAGE,
  parseEverythingPage,
  parseSearch,
  runSearch,
  snapshotText,
} from './fhir-search.util.js';

const loinc = codeSystems.loinc;
const ferritinCoding = terminology.analytes.ferritin;
const ferritin =
  'loinc' in ferritinCoding ? (ferritinCoding.loinc['ng/mL']?.code ?? '') : '';
const fibrinogenCoding = terminology.analytes.fibrinogen;
const fibrinogen =
  'loinc' in fibrinogenCoding
    ? (Object.values(fibrinogenCoding.loinc)[0]?.code ?? '')
    : '';

/** The ids a search answers, in its order. */
function ids(
  type: FhirResourceType,
  resources: readonly Resource[],
  query: Record<string, string | string[]>,
): string[] {
  return runSearch(type, resources, parseSearch(type, query)).page.map(
    (resource) => resource.id ?? '',
  );
}

function refusal(
  type: FhirResourceType,
  query: Record<string, string | string[]>,
): FhirSearchError {
  try {
    parseSearch(type, query);
  } catch (error) {
    if (error instanceof FhirSearchError) return error;
    throw error;
  }
  throw new Error(`no refusal of ${JSON.stringify(query)}`);
}

const codesOf = (observation: Observation) =>
  (observation.code.coding ?? []).map((coding) => coding.code);

describe('FHIR search within one patient', () => {
  let all: Resource[] = [];
  let largest: Resource[] = [];
  let observations: Observation[] = [];

  beforeAll(() => {
    const records = fhirCourses().map((source) => episodeResources(source));
    all = records.flat();
    largest = records.reduce((a, b) => (b.length > a.length ? b : a));
    observations = largest.filter(
      (resource): resource is Observation =>
        resource.resourceType === 'Observation',
    );
  });

  it('reads dates by their precision: a year, a month, a day, a minute, a zone', () => {
    expect(dateRange('2026')).toEqual({
      low: Date.UTC(2026, 0, 1),
      high: Date.UTC(2027, 0, 1),
    });
    expect(dateRange('2026-02')).toEqual({
      low: Date.UTC(2026, 1, 1),
      high: Date.UTC(2026, 2, 1),
    });
    expect(dateRange('2026-03-01')).toEqual({
      low: Date.UTC(2026, 2, 1),
      high: Date.UTC(2026, 2, 2),
    });
    expect(dateRange('2026-03-01T08:30Z')).toEqual({
      low: Date.UTC(2026, 2, 1, 8, 30),
      high: Date.UTC(2026, 2, 1, 8, 31),
    });
    expect(dateRange('2026-03-01T08:30:00+02:00')).toEqual({
      low: Date.UTC(2026, 2, 1, 6, 30),
      high: Date.UTC(2026, 2, 1, 6, 30, 1),
    });
    expect(dateRange('2026-03-01T08:30:00.250Z')).toEqual({
      low: Date.UTC(2026, 2, 1, 8, 30, 0, 250),
      high: Date.UTC(2026, 2, 1, 8, 30, 0, 251),
    });
    // Any year, not 0-99 read as 1900-1999.
    const early = dateRange('0050-01-01');
    expect(early?.low).toBe(new Date('0050-01-01T00:00:00Z').getTime());
    expect((early?.high ?? 0) - (early?.low ?? 0)).toBe(86_400_000);
    for (const bad of [
      '2026-03-01T08:00+99:99',
      '2026-03-01T08:00+15:00',
      '2026-13',
      '2026-02-30',
      '2026-03-01T25:00Z',
      'yesterday',
      '26-03-01',
    ]) {
      expect(dateRange(bad)).toBeNull();
    }
  });

  it('declares, per type, only parameters that find values in the ten scenarios’ records (none stale or vacuous)', () => {
    const empty: string[] = [];
    for (const type of fhirResourceTypes) {
      const ofType = all.filter((resource) => resource.resourceType === type);
      for (const parameter of declaredSearchParameters(type)) {
        const found = ofType.filter(
          (resource) =>
            runSearch(
              type,
              [resource],
              parseSearch(type, {
                [`${parameter.name}:missing`]: 'false',
              }),
            ).total === 1,
        );
        if (ofType.length > 0 && found.length === 0) {
          empty.push(`${type}.${parameter.name}`);
        }
      }
    }
    expect(empty).toEqual([]);
  });

  it('the OpenAPI contract names every parameter some type answers, and no other', () => {
    const declared = new Set(
      fhirResourceTypes.flatMap((type) =>
        declaredSearchParameters(type).map((parameter) => parameter.name),
      ),
    );
    const common = ['patient', '_id', '_count', '_offset', '_sort', '_format'];
    expect(
      Object.keys(fhirSearchQuery.shape)
        .filter((key) => !common.includes(key))
        .sort(),
    ).toEqual([...declared].sort());
  });

  it('matches a LOINC code with or without its system, and never by a piece of it or under another system', () => {
    const expected = observations
      .filter((observation) => codesOf(observation).includes(ferritin))
      .map((observation) => observation.id);
    expect(expected.length).toBeGreaterThan(1);
    expect(
      ids('Observation', largest, { code: `${loinc}|${ferritin}` }),
    ).toEqual(expected);
    expect(ids('Observation', largest, { code: ferritin })).toEqual(expected);
    expect(ids('Observation', largest, { code: ferritin.slice(0, 3) })).toEqual(
      [],
    );
    expect(
      ids('Observation', largest, {
        code: `http://snomed.info/sct|${ferritin}`,
      }),
    ).toEqual([]);
    expect(ids('Observation', largest, { code: `|${ferritin}` })).toEqual([]);
    expect(ids('Observation', largest, { status: 'fin' })).toEqual([]);
    expect(
      ids('Observation', largest, { code: `${ferritin},${fibrinogen}` }),
    ).toEqual(
      observations
        .filter((observation) =>
          codesOf(observation).some(
            (code) => code === ferritin || code === fibrinogen,
          ),
        )
        .map((observation) => observation.id),
    );
    expect(ids('Observation', largest, { 'code:not': ferritin })).toEqual(
      observations
        .filter((observation) => !codesOf(observation).includes(ferritin))
        .map((observation) => observation.id),
    );
  });

  it('reads a day as the whole day, and ge and lt part the results at any instant', () => {
    const day = (observations[0]?.effectiveDateTime ?? '').slice(0, 10);
    const sameDay = observations
      .filter((observation) => observation.effectiveDateTime?.startsWith(day))
      .map((observation) => observation.id);
    expect(sameDay.length).toBeGreaterThan(0);
    expect(ids('Observation', largest, { date: day })).toEqual(sameDay);
    expect(ids('Observation', largest, { date: `eq${day}` })).toEqual(sameDay);
    const times = [
      ...new Set(
        observations.map((observation) => observation.effectiveDateTime ?? ''),
      ),
    ].sort();
    expect(times.length).toBeGreaterThan(2);
    const middle = times[Math.floor(times.length / 2)] ?? '';
    const at = middle.slice(0, 16) + 'Z';
    const ge = ids('Observation', largest, { date: `ge${at}` });
    const lt = ids('Observation', largest, { date: `lt${at}` });
    expect(ge.length + lt.length).toBe(observations.length);
    expect(ge.filter((id) => lt.includes(id))).toEqual([]);
    expect(lt).toEqual(
      observations
        .filter(
          (observation) =>
            Date.parse(observation.effectiveDateTime ?? '') < Date.parse(at),
        )
        .map((observation) => observation.id),
    );
    // Two bounds are an AND; a range outside the record finds nothing.
    expect(
      ids('Observation', largest, { date: [`ge${day}`, `lt${day}T00:00Z`] }),
    ).toEqual([]);
    expect(ids('Observation', largest, { date: 'lt1990' })).toEqual([]);
  });

  it('compares a quantity by its unit and its implied precision', () => {
    const values = observations.filter(
      (observation) =>
        codesOf(observation).includes(ferritin) &&
        observation.valueQuantity?.value !== undefined,
    );
    const first = values[0]?.valueQuantity;
    expect(first?.value).toBeDefined();
    const value = first?.value ?? 0;
    const unit = `${first?.system ?? ''}|${first?.code ?? ''}`;
    expect(
      ids('Observation', largest, {
        code: ferritin,
        'value-quantity': `gt${value}|${unit}`,
      }),
    ).toEqual(
      values
        .filter(
          (observation) => (observation.valueQuantity?.value ?? 0) > value,
        )
        .map((observation) => observation.id),
    );
    expect(
      ids('Observation', largest, {
        code: ferritin,
        'value-quantity': `${value}|${unit}`,
      }),
    ).toContain(values[0]?.id);
    expect(
      ids('Observation', largest, {
        code: ferritin,
        'value-quantity': `${value}|${first?.system ?? ''}|mg/dL`,
      }),
    ).toEqual([]);
    const noValue = observations.filter(
      (observation) => observation.valueQuantity === undefined,
    );
    expect(
      ids('Observation', largest, { 'value-quantity:missing': 'true' }),
    ).toEqual(noValue.map((observation) => observation.id));
  });

  it('finds a drug by its ATC code, reads by action, and sorts and pages in order', () => {
    const given = largest.filter(
      (resource): resource is MedicationAdministration =>
        resource.resourceType === 'MedicationAdministration',
    );
    const drug = terminology.drugs.methylprednisolone;
    const methylprednisolone = 'atc' in drug ? drug.atc.code : '';
    expect(methylprednisolone).not.toBe('');
    expect(
      ids('MedicationAdministration', largest, {
        code: `${codeSystems.atc}|${methylprednisolone}`,
      }),
    ).toEqual(
      given
        .filter((administration) =>
          administration.medicationCodeableConcept?.coding?.some(
            (coding) => coding.code === methylprednisolone,
          ),
        )
        .map((administration) => administration.id),
    );
    const events = all.filter(
      (resource): resource is AuditEvent =>
        resource.resourceType === 'AuditEvent',
    );
    expect(ids('AuditEvent', all, { action: 'R' })).toEqual(
      events.filter((event) => event.action === 'R').map((event) => event.id),
    );
    expect(ids('AuditEvent', all, { action: 'R' }).length).toBeGreaterThan(0);

    const newestFirst = ids('Observation', largest, { _sort: '-date,_id' });
    const expected = [...observations]
      .sort(
        (a, b) =>
          (b.effectiveDateTime ?? '').localeCompare(
            a.effectiveDateTime ?? '',
          ) || (a.id ?? '').localeCompare(b.id ?? ''),
      )
      .map((observation) => observation.id);
    expect(newestFirst).toEqual(expected);
    const pages: string[] = [];
    for (let offset = 0; offset < observations.length; offset += 7) {
      const page = runSearch(
        'Observation',
        largest,
        parseSearch('Observation', {
          _sort: '-date,_id',
          _count: '7',
          _offset: String(offset),
        }),
      );
      expect(page.total).toBe(observations.length);
      expect(page.page.length).toBeLessThanOrEqual(7);
      pages.push(...page.page.map((resource) => resource.id ?? ''));
    }
    expect(pages).toEqual(expected);
  });

  it('sorts descending by the latest end (an ongoing period first), ascending by the earliest start', () => {
    const period = (id: string, start: string, end?: string): Resource => ({
      resourceType: 'EpisodeOfCare',
      id,
      status: 'active',
      patient: { reference: 'Patient/p' },
      period: { start, ...(end === undefined ? {} : { end }) },
    });
    const episodes = [
      period('long', '2026-03-01T00:00:00Z', '2026-03-05T00:00:00Z'),
      period('point', '2026-03-02T00:00:00Z', '2026-03-02T00:00:00Z'),
      period('ongoing', '2026-02-01T00:00:00Z'),
    ];
    expect(ids('EpisodeOfCare', episodes, { _sort: '-date' })).toEqual([
      'ongoing',
      'long',
      'point',
    ]);
    expect(ids('EpisodeOfCare', episodes, { _sort: 'date' })).toEqual([
      'ongoing',
      'long',
      'point',
    ]);
    // An escaped bar is part of a code, not the system's end.
    expect(ids('EpisodeOfCare', episodes, { status: 'act\\|ive' })).toEqual([]);
    expect(ids('EpisodeOfCare', episodes, { status: '|active' })).toEqual([
      'long',
      'point',
      'ongoing',
    ]);
  });

  it('refuses what it does not serve, naming the parameter and the rule', () => {
    const cases: [
      FhirResourceType,
      Record<string, string | string[]>,
      string,
      string,
    ][] = [
      ['Observation', { bogus: '1' }, 'bogus', 'not-supported'],
      ['Observation', { 'subject.name': 'x' }, 'subject.name', 'not-supported'],
      ['Observation', { date: '2026-02-30' }, 'date', 'invalid'],
      ['Observation', { date: 'ap2026-03-01' }, 'date', 'not-supported'],
      [
        'Observation',
        { 'code:text': 'ferritin' },
        'code:text',
        'not-supported',
      ],
      ['Observation', { 'date:not': '2026' }, 'date:not', 'not-supported'],
      [
        'Observation',
        { 'status:missing': 'maybe' },
        'status:missing',
        'invalid',
      ],
      [
        'Observation',
        { 'value-quantity': 'high' },
        'value-quantity',
        'invalid',
      ],
      ['Observation', { _count: 'ten' }, '_count', 'invalid'],
      ['Observation', { _count: '100000' }, '_count', 'invalid'],
      ['Observation', { _count: ['1', '2'] }, '_count', 'invalid'],
      ['Observation', { _sort: 'value-quantity' }, '_sort', 'not-supported'],
      ['Observation', { _format: 'xml' }, '_format', 'not-supported'],
      ['Observation', { code: '' }, 'code', 'invalid'],
      ['Condition', { code: 'x' }, 'code', 'not-supported'],
    ];
    for (const [type, query, parameter, code] of cases) {
      const error = refusal(type, query);
      expect({ query, parameter: error.parameter, code: error.code }).toEqual({
        query,
        parameter,
        code,
      });
      expect(error.message).toContain(parameter.split(':')[0]);
    }
  });
});

describe('the paging of $everything', () => {
  it('pages of EVERYTHING_PAGE unless _count says otherwise; the links give _snapshot back as it was written', () => {
    expect(parseEverythingPage({})).toEqual({
      count: EVERYTHING_PAGE,
      offset: 0,
      snapshot: null,
    });
    const snapshot = { version: 31, at: new Date('2026-03-01T08:00:00.000Z') };
    expect(
      parseEverythingPage({
        _count: String(MAX_PAGE),
        _offset: '400',
        _snapshot: snapshotText(snapshot),
      }),
    ).toEqual({ count: MAX_PAGE, offset: 400, snapshot });
    // What the OpenAPI document declares is what is read (and _format).
    expect(Object.keys(fhirEverythingQuery.shape).sort()).toEqual([
      '_count',
      '_format',
      '_offset',
      '_snapshot',
    ]);
  });

  it('refuses a page it cannot give, naming the parameter and the rule', () => {
    for (const [query, parameter, rule] of [
      [{ _count: '0' }, '_count', 'a whole number from 1 to 1000'],
      [{ _count: '-1' }, '_count', 'a whole number from 1 to 1000'],
      [{ _count: '1e3' }, '_count', 'a whole number from 1 to 1000'],
      [{ _count: '1001' }, '_count', 'a whole number from 1 to 1000'],
      [{ _count: ['5', '6'] }, '_count', 'is given once'],
      [{ _offset: '10000001' }, '_offset', 'a whole number from 0 to 10000000'],
      [{ _snapshot: '31' }, '_snapshot', 'the version, a comma, an instant'],
      [
        { _snapshot: '31,2026-02-30T08:00:00.000Z' },
        '_snapshot',
        'the version, a comma, an instant',
      ],
    ] as const) {
      let error: unknown;
      try {
        parseEverythingPage(query);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(FhirSearchError);
      expect(error).toMatchObject({ code: 'invalid', parameter });
      expect((error as Error).message).toContain(rule);
    }
  });

  it("refuses by name a filter it does not apply (the operation's start, end, _since, _type): the whole record never comes back as if filtered", () => {
    for (const parameter of [
      'start',
      'end',
      '_since',
      '_type',
      '_elements',
      '_Count',
    ]) {
      let error: unknown;
      try {
        parseEverythingPage({ [parameter]: 'x' });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(FhirSearchError);
      expect(error).toMatchObject({ code: 'not-supported', parameter });
      expect((error as Error).message).toContain(
        'not a parameter of $everything here',
      );
    }
    // _format is the caller's: not refused here.
    expect(parseEverythingPage({ _format: 'json' }).count).toBe(
      EVERYTHING_PAGE,
    );
  });
});
