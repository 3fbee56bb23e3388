import { describe, expect, it } from '@jest/globals';

import { parseEpisodeEvent } from '@mas/contracts';
import {
  mortalityCalibration,
  type Scenario,
  scenarioById,
  scenarios,
  simulationModel,
} from '@mas/simulation';

import { exampleProfile } from '../spec-support/episode.spec-support.js';
import { courseSeed, runBatch } from './batch.js';
import {
  calibrationDesigns,
  MortalityCurve,
  type MortalityEstimate,
} from './calibrate.js';
import { simulateCourse } from './course.js';
import { debrief } from './debrief.js';
import { policies, type PolicyId } from './policies.js';

const profile = exampleProfile();

function course(scenario: Scenario | string, policy: PolicyId, seed: number) {
  return simulateCourse({
    scenario: typeof scenario === 'string' ? scenarioById(scenario) : scenario,
    policy: policies[policy],
    seed,
    profile,
  });
}

/** Points a policy earns on a rule, over a few seeds. */
function pointsOn(scenarioId: string, policy: PolicyId, rule: string) {
  return [1, 2, 3, 4, 5].map((seed) => {
    const result = course(scenarioId, policy, seed);
    const item = debrief(
      result.finalSnapshot.context,
      undefined,
      result.findings,
    ).items.find((i) => i.rule === rule);
    return item?.earned ?? null;
  });
}

describe('simulated courses (model output, never evidence)', () => {
  it('the same seed gives the same course and the same score', () => {
    const a = course('steroid-refractory', 'protocol', 42);
    const b = course('steroid-refractory', 'protocol', 42);
    expect(b.events).toEqual(a.events);
    expect(b.outcome).toBe(a.outcome);
    expect(debrief(b.finalSnapshot.context)).toEqual(
      debrief(a.finalSnapshot.context),
    );
    const other = course('steroid-refractory', 'protocol', 43);
    expect(other.events).not.toEqual(a.events);
    expect(a.notice).toMatch(/never evidence/);
  });

  it("the machine is driven by the scheduler's clock.ticked events and the policy's events, as in the service", () => {
    const result = course('steroid-responsive', 'protocol', 1);
    const ticks = result.events.filter((e) => e.type === 'clock.ticked');
    expect(ticks.length).toBeGreaterThan(0);
    expect(new Set(ticks.map((t) => t.actor.id))).toEqual(
      new Set(['scheduler']),
    );
    expect(result.events.map((e) => e.type)).toContain('reassessment.recorded');
  });

  it('the protocol policy asks for nothing the protocol blocks, and keeps every reassessment on time', () => {
    for (const scenario of scenarios) {
      for (const seed of [1, 2, 3]) {
        const result = course(scenario, 'protocol', seed);
        expect({ id: scenario.id, seed, refused: result.refused }).toEqual({
          id: scenario.id,
          seed,
          refused: [],
        });
        const reassessment = debrief(result.finalSnapshot.context).items.find(
          (i) => i.rule === 'reassessments-on-time',
        );
        expect(reassessment?.earned).toBe(reassessment?.points);
      }
    }
  });

  it('calibration: the fitted death hazard gives the published sJIA-MAS mortality (8%, Minoia 2014, clinical-facts §8) under the protocol policy, as the mean over 20 independent batches with a t-interval over the batch means (a batch shares its seeds across scenarios); half or twice the hazard fails', () => {
    const { check, fit } = calibrationDesigns;
    expect(check.batches).toBeGreaterThanOrEqual(20);
    const curve = new MortalityCurve(check, { profile });
    // Batches the fit never saw: no course seed in common with it.
    const fitted = new MortalityCurve(fit, { profile }).seeds();
    expect([...curve.seeds()].filter((seed) => fitted.has(seed))).toEqual([]);
    const target = mortalityCalibration.target.value;
    const hazard = simulationModel.mortality.hazardPerHour.value;
    // The model's value is the last fit's (`npm run calibrate` checks it
    // against a new fit over the fit's batches).
    const { hazardInterval } = mortalityCalibration.fit;
    expect(hazard).toBeGreaterThanOrEqual(hazardInterval.low.value);
    expect(hazard).toBeLessThanOrEqual(hazardInterval.high.value);
    // Highest hazard first: with common random numbers, the lower ones run
    // again only the courses that died.
    const doubled = curve.at(2 * hazard);
    const atFit = curve.at(hazard);
    const halved = curve.at(hazard / 2);
    const holds = (e: MortalityEstimate) =>
      e.interval.low <= target && target <= e.interval.high;
    expect({
      batches: atFit.batches,
      atFit: holds(atFit),
      doubled: holds(doubled),
      halved: holds(halved),
    }).toEqual({ batches: 20, atFit: true, doubled: false, halved: false });
    expect(doubled.interval.low).toBeGreaterThan(target);
    expect(halved.interval.high).toBeLessThan(target);
    // The shared seeds matter: the batches vary more than independent
    // courses would, so a binomial interval over the courses is too narrow.
    expect(atFit.designEffect).toBeGreaterThan(1);
  });

  it('each scenario under the protocol policy reaches its expected outcome distribution', () => {
    const runs = 30;
    for (const scenario of scenarios) {
      const batch = runBatch({
        scenarios: [scenario],
        policy: policies.protocol,
        runs,
        seed: 7,
        profile,
      });
      const [summary] = batch.summary;
      const mortality = (summary?.died ?? 0) / runs;
      const remission = (summary?.remission ?? 0) / runs;
      const seen = {
        id: scenario.id,
        mortalityInRange:
          mortality >= scenario.expected.mortality.min &&
          mortality <= scenario.expected.mortality.max,
        remissionEnough: remission >= scenario.expected.remissionAtLeast,
        escalatesWhenExpected:
          !scenario.expected.escalates || (summary?.meanEscalations ?? 0) >= 1,
      };
      expect(seen).toEqual({
        id: scenario.id,
        mortalityInRange: true,
        remissionEnough: true,
        escalatesWhenExpected: true,
      });
    }
  });

  it('in remission the protocol policy keeps the monitoring labs, and treats a sustained ferritin rise as a relapse', () => {
    const rules = simulationModel.policy;
    const hoursOf = (at: string) =>
      (Date.parse(at) - Date.parse('2026-03-01T08:00:00.000Z')) / 3_600_000;
    let relapsesSeen = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const { events, relapses } = course(
        'relapse-during-taper',
        'protocol',
        seed,
      );
      relapsesSeen += relapses;
      const firstRemission = events.findIndex(
        (e) => e.type === 'remission.recorded',
      );
      if (firstRemission < 0) continue;
      // Monitoring labs go on after remission, a day apart.
      const labsAfter = events
        .slice(firstRemission)
        .filter((e) => e.type === 'labs.recorded');
      expect(labsAfter.length).toBeGreaterThan(0);
      // Every relapse follows consecutive high ferritins and brings back
      // the glucocorticoid pulse with anakinra.
      for (const [index, event] of events.entries()) {
        if (event.type !== 'relapse.recorded') continue;
        const panels = events
          .slice(0, index)
          .flatMap((e) => (e.type === 'labs.recorded' ? [e] : []))
          .slice(-rules.relapseConsecutivePanels.value);
        expect(panels).toHaveLength(rules.relapseConsecutivePanels.value);
        for (const labs of panels) {
          expect(labs.payload.panel.ferritin?.value).toBeGreaterThan(
            rules.relapseFerritinAbove.value,
          );
        }
        const after = events
          .slice(index + 1)
          .filter((e) => hoursOf(e.at) === hoursOf(event.at))
          .map((e) => (e.type === 'therapy.started' ? e.payload.drug : e.type));
        expect(after).toEqual(
          expect.arrayContaining(['methylprednisolone', 'anakinra']),
        );
      }
    }
    expect(relapsesSeen).toBeGreaterThan(0);
  });

  it('known bad decision sequences lose the points they should', () => {
    // A day's delay: the first glucocorticoid is late.
    expect(
      pointsOn('steroid-responsive', 'protocol', 'glucocorticoid-on-time'),
    ).toEqual([20, 20, 20, 20, 20]);
    expect(
      pointsOn('steroid-responsive', 'delay', 'glucocorticoid-on-time'),
    ).toEqual([0, 0, 0, 0, 0]);
    // An infectious trigger left without antimicrobials.
    expect(
      pointsOn('infection-triggered', 'protocol', 'antimicrobials'),
    ).toEqual([15, 15, 15, 15, 15]);
    expect(
      pointsOn('infection-triggered', 'no-antimicrobials', 'antimicrobials'),
    ).toEqual([0, 0, 0, 0, 0]);
    // CNS involvement without dexamethasone considered.
    expect(
      pointsOn('cns-involvement', 'protocol', 'dexamethasone-considered'),
    ).toEqual([10, 10, 10, 10, 10]);
    expect(
      pointsOn(
        'cns-involvement',
        'no-dexamethasone-considered',
        'dexamethasone-considered',
      ),
    ).toEqual([0, 0, 0, 0, 0]);
    // Escalation three reassessments late.
    const late = pointsOn(
      'steroid-refractory',
      'late-escalation',
      'escalation-timing',
    );
    // (null: a course that ended before any reassessment.)
    expect(late).not.toContain(15);
    expect(late.filter((p) => p === 0).length).toBeGreaterThanOrEqual(3);
    const prompt = pointsOn(
      'steroid-refractory',
      'protocol',
      'escalation-timing',
    );
    expect(prompt.every((p) => p === 15 || p === null)).toBe(true);
    // Work-up results the machine was never told about (only the simulation
    // knows them): ignored, they lose their points; acted on, they earn them.
    for (const [scenario, rule] of [
      ['infection-triggered', 'infection-result-recorded'],
      ['ebv-driven', 'ebv-result-recorded'],
      ['malignancy-associated', 'malignancy-result-recorded'],
    ] as const) {
      // (null: a course that ended before the result arrived.)
      const acted = pointsOn(scenario, 'protocol', rule);
      expect(acted).not.toContain(0);
      expect(acted.filter((p) => p === 10).length).toBeGreaterThanOrEqual(3);
      const ignored = pointsOn(scenario, 'ignores-results', rule);
      expect(ignored).not.toContain(10);
      expect(ignored.filter((p) => p === 0).length).toBeGreaterThanOrEqual(3);
      // A scenario without that result: the rule does not apply.
      expect(pointsOn('steroid-responsive', 'ignores-results', rule)).toEqual([
        null,
        null,
        null,
        null,
        null,
      ]);
    }
  });

  it('a result recorded within one reassessment interval of its arrival scores; later, or never once the window passed, does not; a real episode (no simulated work-up) is not scored on it', () => {
    const result = course('infection-triggered', 'protocol', 1);
    const context = result.finalSnapshot.context;
    const available = '2026-03-01T14:00:00.000Z';
    const score = (recordedAt: string | undefined, now = context.now) =>
      debrief({ ...context, now, outcome: null }, undefined, {
        availableAt: { infection: available },
        recordedAt: recordedAt === undefined ? {} : { infection: recordedAt },
      }).items.find((i) => i.rule === 'infection-result-recorded');
    expect(score('2026-03-02T02:00:00.000Z')?.earned).toBe(10);
    expect(score('2026-03-02T02:00:01.000Z')?.earned).toBe(0);
    expect(score(undefined, '2026-03-01T20:00:00.000Z')).toMatchObject({
      earned: null,
      detail: expect.stringContaining('still within 12 h') as unknown,
    });
    expect(score(undefined, '2026-03-02T02:00:01.000Z')).toMatchObject({
      earned: 0,
      detail: expect.stringContaining('never recorded') as unknown,
    });
    // An episode that ended (death) within the window: not the trainee's miss.
    const ended = debrief(
      { ...context, now: '2026-03-01T20:00:00.000Z', outcome: 'died' },
      undefined,
      { availableAt: { infection: available }, recordedAt: {} },
    ).items.find((i) => i.rule === 'infection-result-recorded');
    expect(ended).toMatchObject({
      earned: null,
      detail: expect.stringContaining('the episode ended') as unknown,
    });
    // Recorded before there was any result: not scored either way.
    expect(score('2026-03-01T09:00:00.000Z')).toMatchObject({
      earned: null,
      detail: expect.stringContaining('before the result') as unknown,
    });
    expect(
      debrief(context).items.find((i) => i.rule === 'infection-result-recorded')
        ?.earned,
    ).toBeNull();
  });

  it('over-escalation is not free: more toxicity than the protocol policy', () => {
    const toxicity = (policy: PolicyId) =>
      runBatch({
        scenarios: [scenarioById('steroid-responsive')],
        policy: policies[policy],
        runs: 30,
        seed: 3,
        profile,
      }).summary[0]?.meanToxicities ?? 0;
    expect(toxicity('over-escalation')).toBeGreaterThan(
      2 * toxicity('protocol'),
    );
  });

  it('every event a course produces is valid under the contracts schema (the simulator builds them without re-validating)', () => {
    for (const policy of Object.keys(policies) as PolicyId[]) {
      for (const scenario of scenarios) {
        for (const event of course(scenario, policy, 9).events) {
          expect(() => parseEpisodeEvent(event, 'event')).not.toThrow();
        }
      }
    }
  });

  it('a batch seeds each course from the batch seed, reproducibly', () => {
    expect(courseSeed(5, 0)).toBe(courseSeed(5, 0));
    expect(courseSeed(5, 1)).not.toBe(courseSeed(5, 0));
    expect(courseSeed(6, 0)).not.toBe(courseSeed(5, 0));
  });
});
