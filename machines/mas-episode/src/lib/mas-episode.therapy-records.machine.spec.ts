/**
 * Running courses at the bedside: a dose stepped up without stopping the
 * course, one record of a drug running twice stopped by name, and a
 * glucocorticoid started in remission (example profile: anakinra at most
 * 15 mg/kg/day, hard limit 3 x the upper soft limit; Amira, 24 kg).
 */
import { describe, expect, it } from '@jest/globals';

import type { DoseSchedule, EpisodeEvent } from '@mas/contracts';
import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import {
  drAdams,
  Episode,
  episodeInput,
  ev,
  h,
  nurseDiaz,
  tick,
} from '../spec-support/episode.spec-support.js';
import { checkEvent } from './mas-episode.checks.js';
import { explainSnapshot } from './mas-episode.explain.js';

const florid = panelOf(floridMas, febrileSjia);
const daily = { kind: 'daily' } as const;

/** Amira suspected, methylprednisolone running, anakinra 48 mg/day sc. */
function onStandardAnakinra(): Episode {
  return new Episode(episodeInput(amira, 'suspected'))
    .send(ev('labs.recorded', h(0.5), { panel: florid }))
    .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
    .send(
      ev(
        'therapy.started',
        h(2),
        {
          drug: 'anakinra',
          route: 'sc',
          dose: { value: 48, unit: 'mg' },
          schedule: daily,
        },
        drAdams,
        'early targeted therapy',
      ),
    );
}

function doseChange(
  at: string,
  mg: number,
  extra: Partial<EpisodeEvent['payload']> = {},
): EpisodeEvent {
  return ev('therapy.dose-changed', at, {
    drug: 'anakinra',
    dose: { value: mg, unit: 'mg' },
    route: 'sc',
    schedule: daily,
    givenAt: at,
    ...extra,
  } as never);
}

describe('a dose changed without stopping the course', () => {
  it('anakinra stepped up from 2 to 5 mg/kg/day: one record, its start kept, the earlier dose kept, the standard-dose alert gone [seed.second-line.4]', () => {
    const episode = onStandardAnakinra();
    expect(episode.alertIds()).toContain('anakinra-standard-dose');
    episode.send(doseChange(h(14), 120));
    const anakinra = episode.context.therapies.filter(
      (t) => t.drug === 'anakinra',
    );
    expect(anakinra).toHaveLength(1);
    expect(anakinra[0]).toMatchObject({
      startedAt: h(2),
      dose: { value: 120, unit: 'mg' },
      doseMg: 120,
      doseCheck: { tier: 'within' },
    });
    expect(anakinra[0]?.stoppedAt).toBeUndefined();
    expect(anakinra[0]?.doseChanges).toEqual([
      {
        at: h(14),
        by: drAdams,
        previous: expect.objectContaining({
          dose: { value: 48, unit: 'mg' },
          doseMg: 48,
          route: 'sc',
          schedule: daily,
        }),
      },
    ]);
    expect(episode.alertIds()).not.toContain('anakinra-standard-dose');
  });

  it('the new dose is checked as a start would be: above the soft limit it needs a confirmation, above the hard limit it is refused whatever is said [seed.second-line.4]', () => {
    const episode = onStandardAnakinra();
    expect(episode.refusal(doseChange(h(14), 480))).toMatch(
      /^outside the dose range, confirm with a reason \(doseConfirmation\): anakinra 480 mg is above the soft limit of 360 mg per day/,
    );
    expect(
      episode.refusal(
        doseChange(h(14), 1200, { doseConfirmation: 'very sick' }),
      ),
    ).toMatch(/^hard dose limit: /);
    episode.send(
      doseChange(h(14), 480, { doseConfirmation: 'worsening on 5 mg/kg' }),
    );
    const [anakinra] = episode.context.therapies.filter(
      (t) => t.drug === 'anakinra',
    );
    expect(anakinra?.doseCheck).toMatchObject({
      tier: 'soft',
      confirmedBy: drAdams,
      confirmation: 'worsening on 5 mg/kg',
    });
    // Kept as given, never clamped; the alert names the limit.
    expect(anakinra?.doseMg).toBe(480);
    expect(episode.alertIds()).toContain('dose-outside-rule');
  });

  it('the old dose is not counted as a second course in the day: no daily-total warning for the change itself [seed.second-line.4]', () => {
    const episode = onStandardAnakinra();
    episode.send(doseChange(h(14), 300));
    expect(episode.alertIds()).not.toContain('therapy-recorded-twice');
    expect(episode.alertIds()).not.toContain('dose-outside-rule');
  });

  it('refused, each naming why: before the dose it replaces, a drug not running, a background course, by a nurse [seed.second-line.4]', () => {
    const episode = onStandardAnakinra();
    expect(episode.refusal(doseChange(h(1.5), 120))).toMatch(
      /^givenAt .* is before the dose it replaces \(given from 2026-03-01T10:00:00.000Z\)/,
    );
    expect(
      episode.refusal(
        ev('therapy.dose-changed', h(14), {
          drug: 'ciclosporin',
          dose: { value: 100, unit: 'mg' },
          route: 'oral',
          schedule: { kind: 'every-hours', hours: 12 },
          givenAt: h(14),
        }),
      ),
    ).toBe('ciclosporin is not active');
    const background = new Episode(episodeInput(amira, 'suspected')).send(
      ev(
        'background-therapy.recorded',
        h(0.2),
        { drug: 'anakinra' },
        drAdams,
        'on anakinra 2 mg/kg/day for sJIA since June',
      ),
    );
    expect(background.refusal(doseChange(h(3), 120))).toMatch(
      /anakinra is recorded as background therapy/,
    );
    const byNurse = { ...doseChange(h(14), 120), actor: nurseDiaz };
    expect(episode.refusal(byNurse)).toMatch(/nurse/);
  });
});

describe('a drug running twice (a pulse recorded twice): one record stopped by its start', () => {
  const pulse = (at: string, mg: number) =>
    ev('therapy.started', at, {
      drug: 'methylprednisolone',
      route: 'iv',
      dose: { value: mg, unit: 'mg' },
      schedule: daily,
    });
  function twice(): Episode {
    return new Episode(episodeInput(amira, 'suspected'))
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(pulse(h(1), 600))
      .send(pulse(h(2), 700));
  }

  it('a stop that does not say which is refused, naming both records; named, only that one stops, and the standing alert goes', () => {
    const episode = twice();
    expect(episode.alertIds()).toContain('therapy-recorded-twice');
    expect(
      episode.refusal(
        ev('therapy.stopped', h(3), { drug: 'methylprednisolone' }),
      ),
    ).toBe(
      `methylprednisolone runs 2 times (started ${h(1)} at 600 mg; started ${h(2)} at 700 mg): name the record by its start time (startedAt)`,
    );
    // The field to fill in is named (the service says body.payload.startedAt).
    expect(
      episode.refusedField(
        ev('therapy.stopped', h(3), { drug: 'methylprednisolone' }),
      ),
    ).toBe('startedAt');
    episode.send(
      ev('therapy.stopped', h(3), {
        drug: 'methylprednisolone',
        startedAt: h(2),
      }),
    );
    const records = episode.context.therapies.filter(
      (t) => t.drug === 'methylprednisolone',
    );
    expect(records.map((t) => [t.startedAt, t.stoppedAt])).toEqual([
      [h(1), undefined],
      [h(2), h(3)],
    ]);
    expect(episode.alertIds()).not.toContain('therapy-recorded-twice');
    // Once alone, a stop needs no name.
    episode.send(ev('therapy.stopped', h(4), { drug: 'methylprednisolone' }));
    expect(records[0]?.stoppedAt).toBeUndefined();
    expect(
      episode.context.therapies.filter((t) => t.stoppedAt === undefined),
    ).toEqual([]);
  });

  it('a start time that names no running record is refused, listing those that run, naming the field', () => {
    const episode = twice();
    expect(
      episode.refusedField(
        ev('therapy.stopped', h(3), {
          drug: 'methylprednisolone',
          startedAt: h(1.5),
        }),
      ),
    ).toBe('startedAt');
    expect(
      episode.refusal(
        ev('therapy.stopped', h(3), {
          drug: 'methylprednisolone',
          startedAt: h(1.5),
        }),
      ),
    ).toBe(
      `startedAt: no running methylprednisolone record started at ${h(1.5)} (running: started ${h(1)} at 600 mg; started ${h(2)} at 700 mg)`,
    );
  });

  it('the ward is offered each record apart, in words, with the start that names it', () => {
    const episode = twice();
    const options = explainSnapshot(episode.snapshot, {
      actor: drAdams,
    }).allowed;
    const of = (type: string) =>
      options
        .filter((o) => o.type === type)
        .map((o) => [
          o.label,
          (o.examplePayload as { startedAt?: string }).startedAt,
        ]);
    expect(of('therapy.stopped')).toEqual([
      [`Stop methylprednisolone (course started ${h(1)})`, h(1)],
      [`Stop methylprednisolone (course started ${h(2)})`, h(2)],
    ]);
    expect(of('therapy.dose-changed')).toEqual([
      [`Change the dose of methylprednisolone (course started ${h(1)})`, h(1)],
      [`Change the dose of methylprednisolone (course started ${h(2)})`, h(2)],
    ]);
  });
});

describe('a second start of a running drug is said at once, never refused', () => {
  /** Methylprednisolone `mg` IV daily. */
  const mp = (mg: number) => ({
    drug: 'methylprednisolone' as const,
    route: 'iv' as const,
    dose: { value: mg, unit: 'mg' as const },
    schedule: daily,
  });

  it('the answer warns that the drug already runs; a glucocorticoid is still taken [seed.initial.1, review.section-10]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected')).send(
      ev('therapy.started', h(1), mp(600)),
    );
    const again = ev('therapy.started', h(2), mp(600));
    const check = checkEvent(episode.context, again);
    expect(check.ok).toBe(true);
    expect(check.warnings).toContain(
      `methylprednisolone is already running (started ${h(1)} at 600 mg): if this is the same course, stop the duplicate record`,
    );
    expect(episode.can(again)).toBe(true);
  });

  it('a course whose dose changed is named by its start and its dose now, never as if it had started at it [seed.initial.1]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'))
      .send(ev('therapy.started', h(1), mp(600)))
      .send(ev('therapy.dose-changed', h(2), { ...mp(480), givenAt: h(2) }));
    const check = checkEvent(
      episode.context,
      ev('therapy.started', h(3), mp(600)),
    );
    expect(check.warnings).toContain(
      `methylprednisolone is already running (started ${h(1)}, 480 mg since ${h(2)}): if this is the same course, stop the duplicate record`,
    );
  });
});

describe('the edges of naming a course and changing its dose', () => {
  const pulseOf = (at: string, mg: number, schedule: DoseSchedule = daily) =>
    ev('therapy.started', at, {
      drug: 'methylprednisolone',
      route: 'iv',
      dose: { value: mg, unit: 'mg' },
      schedule,
    });
  /** Day `day` of a 3-day pulse, recorded as its own record. */
  const pulse = (at: string, day: number) =>
    pulseOf(at, 600, { kind: 'pulse', day, of: 3 });
  const suspected = () =>
    new Episode(episodeInput(amira, 'suspected')).send(
      ev('labs.recorded', h(0.5), { panel: florid }),
    );
  /** Methylprednisolone's dose changed to `mg` from `at` on. */
  const changeTo = (
    at: string,
    mg: number,
    schedule: DoseSchedule = { kind: 'every-hours', hours: 12 },
  ) =>
    ev('therapy.dose-changed', at, {
      drug: 'methylprednisolone',
      dose: { value: mg, unit: 'mg' },
      route: 'iv',
      schedule,
      givenAt: at,
    });

  it('two records started at the same instant (one course recorded by two people): naming the start stops one, the later recorded; the course runs on', () => {
    const episode = suspected()
      .send(pulseOf(h(1), 600))
      .send(pulseOf(h(1), 600));
    expect(episode.alertIds()).toContain('therapy-recorded-twice');
    episode.send(
      ev('therapy.stopped', h(2), {
        drug: 'methylprednisolone',
        startedAt: h(1),
      }),
    );
    expect(
      episode.context.therapies.map((t) => t.stoppedAt ?? 'running'),
    ).toEqual(['running', h(2)]);
    expect(episode.alertIds()).not.toContain('therapy-recorded-twice');
  });

  it('a pulse recorded day by day ("day 2 of 3" its own record) is one course: no alert, no warning, one stop ends it', () => {
    const day = (n: number) =>
      pulseOf(h(1 + 24 * (n - 1)), 600, { kind: 'pulse', day: n, of: 3 });
    const episode = suspected().send(day(1));
    const second = day(2);
    expect(checkEvent(episode.context, second).warnings ?? []).toEqual([]);
    episode.send(second);
    expect(episode.alertIds()).not.toContain('therapy-recorded-twice');
    episode.send(ev('therapy.stopped', h(30), { drug: 'methylprednisolone' }));
    expect(
      episode.context.therapies.filter((t) => t.stoppedAt === undefined),
    ).toEqual([]);
  });

  it("a stop naming a day-by-day pulse's current day ends the whole course; naming an earlier day ends that day's record alone [seed.initial.1]", () => {
    const day = (n: number) =>
      pulseOf(h(1 + 24 * (n - 1)), 600, { kind: 'pulse', day: n, of: 3 });
    const running = (episode: Episode) =>
      episode.context.therapies
        .filter((t) => t.stoppedAt === undefined)
        .map((t) => t.startedAt);
    const byDay2 = suspected().send(day(1)).send(day(2));
    byDay2.send(
      ev('therapy.stopped', h(30), {
        drug: 'methylprednisolone',
        startedAt: h(25),
      }),
    );
    expect(running(byDay2)).toEqual([]);
    expect(byDay2.context.therapies.map((t) => t.stoppedAt)).toEqual([
      h(30),
      h(30),
    ]);
    const byDay1 = suspected().send(day(1)).send(day(2));
    byDay1.send(
      ev('therapy.stopped', h(30), {
        drug: 'methylprednisolone',
        startedAt: h(1),
      }),
    );
    expect(running(byDay1)).toEqual([h(25)]);
    // The ward is offered one stop for the one course, not one per day.
    const stops = explainSnapshot(
      suspected().send(day(1)).send(day(2)).snapshot,
      {
        actor: drAdams,
      },
    ).allowed.filter((o) => o.type === 'therapy.stopped');
    expect(stops.map((o) => [o.label, o.examplePayload])).toEqual([
      ['Stop methylprednisolone', { drug: 'methylprednisolone' }],
    ]);
  });

  it('a course recorded twice stays two courses when a day-2 record could follow either: the day 2 continues the closer one', () => {
    const episode = suspected()
      .send(pulse(h(1), 1))
      .send(pulse(h(3), 1));
    // Day 2 of the first (at h(25)): the second still runs beside it.
    const day2 = pulse(h(25), 2);
    // (Beside the day's total, which the second course's day 2 raises.)
    expect(checkEvent(episode.context, day2).warnings).toContain(
      `methylprednisolone is already running (started ${h(3)} at 600 mg): if this is the same course, stop the duplicate record`,
    );
    episode.send(day2);
    expect(episode.alertIds()).toContain('therapy-recorded-twice');
    expect(
      episode.refusal(
        ev('therapy.stopped', h(26), { drug: 'methylprednisolone' }),
      ),
    ).toMatch(/^methylprednisolone runs 3 times/);
  });

  it('a day-by-day pulse entered out of order: a dose change changes the record of the latest day, not the last entered', () => {
    const episode = suspected()
      .send(tick(h(25)))
      .send(pulse(h(25), 2))
      // Day 1, entered afterwards (given the day before).
      .send({ ...pulse(h(1), 1), at: h(25) });
    episode.send(
      ev('therapy.dose-changed', h(26), {
        drug: 'methylprednisolone',
        dose: { value: 500, unit: 'mg' },
        route: 'iv',
        schedule: { kind: 'pulse', day: 2, of: 3 },
        givenAt: h(26),
      }),
    );
    const byStart = Object.fromEntries(
      episode.context.therapies.map((t) => [t.startedAt, t.dose?.value]),
    );
    expect(byStart).toEqual({ [h(25)]: 500, [h(1)]: 600 });
  });

  it('a stop dated before the current dose began is refused, naming stoppedAt and the dose change', () => {
    const episode = onStandardAnakinra().send(doseChange(h(14), 120));
    expect(
      episode.refusal(
        ev('therapy.stopped', h(15), { drug: 'anakinra', stoppedAt: h(12) }),
      ),
    ).toBe(
      `stoppedAt ${h(12)} is before the dose it stops was first given (${h(14)}, its dose change): a dose cannot stop before it was given`,
    );
  });

  it('a single dose already given is not a dose change: another dose is a new start', () => {
    const once = suspected().send(pulseOf(h(1), 600, { kind: 'once' }));
    expect(
      once.refusal(
        ev('therapy.dose-changed', h(2), {
          drug: 'methylprednisolone',
          dose: { value: 700, unit: 'mg' },
          route: 'iv',
          schedule: { kind: 'once' },
          givenAt: h(2),
        }),
      ),
    ).toBe(
      'schedule: methylprednisolone was recorded as a single dose, already given: record another dose as a new start',
    );
  });

  it('what the old dose gave earlier in the day still counts: a new dose two hours after a daily dose is a second one within the day', () => {
    const episode = suspected().send(pulseOf(h(1), 720));
    const change = changeTo(h(3), 360);
    const check = checkEvent(episode.context, change);
    expect(check.ok).toBe(true);
    expect(check.warnings).toEqual([
      expect.stringMatching(
        /^daily total warning, not a block: methylprednisolone 1440 mg in one day \(3 doses under the new dose and this course's earlier dose\) .*: check when the new dose was first given/,
      ),
    ]);
    // Recorded, the old dose's span ends at the change; the next check of
    // the day reads both spans, not the new dose from the old start.
    episode.send(change);
    expect(episode.context.therapies[0]?.doseChanges?.[0]).toMatchObject({
      at: h(3),
      previous: { doseMg: 720, schedule: daily },
    });
  });

  it('a dose corrected at the instant it began replaces it: the dose never given is not counted in the day, now or at a later change', () => {
    const episode = suspected().send(pulseOf(h(1), 720));
    const correction = changeTo(h(1), 500, daily);
    // 720 + 500 would be above the day's limit; 500 alone is not.
    expect(checkEvent(episode.context, correction).warnings ?? []).toEqual([]);
    episode.send(correction);
    const later = changeTo(h(3), 100);
    // 500 + 100 + 100 in the day; the replaced 720 is not one of them.
    expect(checkEvent(episode.context, later).warnings ?? []).toEqual([]);
    const more = changeTo(h(3), 200);
    // 500 + 200 + 200 is above it: said, naming the course's earlier dose.
    expect(checkEvent(episode.context, more).warnings).toEqual([
      expect.stringMatching(
        /methylprednisolone 900 mg in one day \(3 doses under the new dose and this course's earlier dose\)/,
      ),
    ]);
  });
});
