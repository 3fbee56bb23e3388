import { describe, expect, it } from '@jest/globals';

import {
  mortalityCalibration,
  scenarioById,
  simulationModel,
  sjiaScenarioIds,
  withDeathHazard,
} from '@mas/simulation';

import { exampleProfile } from '../spec-support/episode.spec-support.js';
import { runBatch } from './batch.js';
import {
  batchInterval,
  calibrateDeathHazard,
  calibrationDesigns,
  MortalityCurve,
  roundSignificant,
  studentT,
} from './calibrate.js';
import { policies } from './policies.js';

const profile = exampleProfile();
const model = simulationModel.mortality.hazardPerHour.value;

describe('calibration of the death hazard (model output, never evidence)', () => {
  it("Student's t quantiles match the tables", () => {
    expect(studentT(0.95, 1)).toBeCloseTo(12.706, 3);
    expect(studentT(0.95, 19)).toBeCloseTo(2.093, 3);
    expect(studentT(0.95, 39)).toBeCloseTo(2.023, 3);
    expect(studentT(0.99, 10)).toBeCloseTo(3.169, 3);
  });

  it('the interval is over the batch means, and the design effect compares their spread with independent courses', () => {
    const e = batchInterval([0.1, 0.2, 0.3], 10, 0.95);
    expect(e.mean).toBeCloseTo(0.2, 12);
    expect(e.sd).toBeCloseTo(0.1, 12);
    const half = (studentT(0.95, 2) * 0.1) / Math.sqrt(3);
    expect(half).toBeGreaterThan(0.2);
    expect(e.interval.low).toBe(0); // (a mortality is never below 0)
    expect(e.interval.high).toBeCloseTo(0.2 + half, 12);
    // Binomial variance of a batch of 10 courses at 20%: 0.016.
    expect(e.designEffect).toBeCloseTo(0.01 / 0.016, 12);
    expect(() => batchInterval([0.1], 10, 0.95)).toThrow(/2 or more/);
  });

  it('rounds to significant digits', () => {
    expect(roundSignificant(0.000_722_94, 2)).toBe(0.000_72);
    expect(roundSignificant(0.000_875, 2)).toBe(0.000_88);
    expect(roundSignificant(0, 2)).toBe(0);
  });

  it('withDeathHazard sets the hazard for the work it runs and restores it, even when the work throws', () => {
    expect(
      withDeathHazard(0.5, () => simulationModel.mortality.hazardPerHour.value),
    ).toBe(0.5);
    expect(simulationModel.mortality.hazardPerHour.value).toBe(model);
    expect(() =>
      withDeathHazard(0.5, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(simulationModel.mortality.hazardPerHour.value).toBe(model);
    expect(() => withDeathHazard(-1, () => 0)).toThrow(RangeError);
    expect(() => withDeathHazard(0.1, () => Promise.resolve(1))).toThrow(
      /synchronous/,
    );
    expect(simulationModel.mortality.hazardPerHour.value).toBe(model);
  });

  it("the curve with common random numbers gives runBatch's deaths at every hazard, in any order, running fewer courses", () => {
    const design = { firstSeed: 23, batches: 2, runsPerScenario: 1 };
    const curve = new MortalityCurve(design, { profile });
    const scenarios = sjiaScenarioIds.map((id) => scenarioById(id));
    const direct = (hazard: number) =>
      withDeathHazard(hazard, () =>
        [23, 24].map(
          (seed) =>
            runBatch({
              scenarios,
              policy: policies.protocol,
              runs: 1,
              seed,
              profile,
            }).courses.filter((c) => c.outcome === 'died').length,
        ),
      );
    const deaths: number[] = [];
    for (const factor of [4, 1, 0.5, 2]) {
      const hazard = factor * model;
      const estimate = curve.at(hazard);
      const died = direct(hazard);
      deaths.push(estimate.died);
      expect({ factor, died: estimate.died }).toEqual({
        factor,
        died: died.reduce((a, b) => a + b, 0),
      });
      expect(estimate.mean).toBeCloseTo(
        died.reduce((a, b) => a + b / estimate.coursesPerBatch, 0) / 2,
        12,
      );
    }
    // (Some courses die and some survive: the comparison means something.)
    expect(deaths).toEqual([9, 4, 2, 8]);
    expect(curve.simulated).toBeLessThan(4 * 2 * scenarios.length);
  });

  it('the fit and the check use independent batches (no course seed in common, within or across the designs)', () => {
    const fit = new MortalityCurve(calibrationDesigns.fit, { profile });
    const check = new MortalityCurve(calibrationDesigns.check, { profile });
    expect(fit.seeds().size).toBe(
      calibrationDesigns.fit.batches * calibrationDesigns.fit.runsPerScenario,
    );
    expect(check.seeds().size).toBe(
      calibrationDesigns.check.batches *
        calibrationDesigns.check.runsPerScenario,
    );
    expect([...check.seeds()].filter((s) => fit.seeds().has(s))).toEqual([]);
    expect(calibrationDesigns.fit.batches).toBeGreaterThanOrEqual(20);
    expect(calibrationDesigns.check.batches).toBeGreaterThanOrEqual(20);
  });

  it('the search brackets and bisects to the smallest hazard whose mean reaches the target, and reports the interval and the verdict on the model value', () => {
    const design = { firstSeed: 11, batches: 3, runsPerScenario: 2 };
    const result = calibrateDeathHazard({ profile, design });
    const target = mortalityCalibration.target.value;
    // Monotone: a higher hazard never gives a lower mean (same courses).
    const byHazard = [...result.steps]
      .map((s) => s.estimate)
      .sort((a, b) => a.hazardPerHour - b.hazardPerHour);
    for (let i = 1; i < byHazard.length; i += 1) {
      expect(byHazard[i]?.mean).toBeGreaterThanOrEqual(
        byHazard[i - 1]?.mean ?? 0,
      );
    }
    // The fit reaches the target; every value probed below it does not.
    const fitSteps = result.steps.filter(
      (s) => s.purpose === 'fit' || s.purpose === 'bracket',
    );
    const atFit = fitSteps.find(
      (s) => s.estimate.hazardPerHour === result.fitted,
    );
    expect(atFit?.estimate.mean).toBeGreaterThanOrEqual(target);
    for (const s of fitSteps.filter(
      (s) => s.estimate.hazardPerHour < result.fitted,
    )) {
      expect(s.estimate.mean).toBeLessThan(target);
    }
    const last = fitSteps.at(-1)?.bracket ?? [0, 0];
    expect(last[1] - last[0]).toBeLessThanOrEqual(
      mortalityCalibration.search.relativeTolerance.value * last[1],
    );
    expect(result.rounded.hazardPerHour).toBe(
      roundSignificant(
        result.fitted,
        mortalityCalibration.search.significantDigits.value,
      ),
    );
    expect(result.hazardInterval.low).toBeLessThanOrEqual(result.fitted);
    expect(result.hazardInterval.high).toBeGreaterThanOrEqual(result.fitted);
    expect(result.model.hazardPerHour).toBe(model);
    expect(result.notice).toMatch(/never evidence/);
  });
});
