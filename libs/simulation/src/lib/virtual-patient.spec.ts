import { describe, expect, it } from '@jest/globals';

import { parseLabPanel } from '@mas/protocol';

import { scenarioById, scenarios } from '../scenarios/index.js';
import { simulationModel } from './model.parameters.js';
import { createRandom } from './random.js';
import { scenarioSchema } from './scenario.schema.js';
import {
  initialPatient,
  intervene,
  labsOf,
  type PatientState,
  stepHour,
} from './virtual-patient.js';

function run(
  state: PatientState,
  hours: number,
  scenarioId: string,
  seed = 7,
): PatientState {
  const scenario = scenarioById(scenarioId);
  const random = createRandom(seed);
  let s = state;
  for (let i = 0; i < hours; i += 1) s = stepHour(s, scenario, random);
  return s;
}

describe('the virtual patient (model output, not evidence)', () => {
  it('the same seed gives the same course; another seed another', () => {
    const scenario = scenarioById('steroid-refractory');
    const a = run(initialPatient(scenario), 48, scenario.id, 11);
    const b = run(initialPatient(scenario), 48, scenario.id, 11);
    const c = run(initialPatient(scenario), 48, scenario.id, 12);
    expect(b).toEqual(a);
    expect(c.history).not.toEqual(a.history);
  });

  it('every scenario is a valid data file, at least the ten the issue names', () => {
    expect(scenarios.map((s) => s.id).sort()).toEqual(
      [
        'cns-involvement',
        'ebv-driven',
        'infection-triggered',
        'late-presentation',
        'malignancy-associated',
        'refractory-emapalumab',
        'relapse-during-taper',
        'severe-rapid',
        'steroid-refractory',
        'steroid-responsive',
      ].sort(),
    );
    for (const s of scenarios) expect(scenarioSchema.parse(s)).toEqual(s);
  });

  it('the labs are a panel the protocol accepts, in its units', () => {
    const scenario = scenarioById('steroid-responsive');
    const panel = labsOf(initialPatient(scenario), scenario, createRandom(1));
    expect(() => parseLabPanel(panel)).not.toThrow();
  });

  it('ESR falls as fibrinogen is consumed (a clinician would check this)', () => {
    const scenario = scenarioById('steroid-responsive');
    const mild = { ...initialPatient(scenario), activity: 0.2 };
    const florid = { ...initialPatient(scenario), activity: 1.2 };
    const a = labsOf(mild, scenario, createRandom(3));
    const b = labsOf(florid, scenario, createRandom(3));
    expect(b.fibrinogen?.value ?? 0).toBeLessThan(a.fibrinogen?.value ?? 0);
    expect(b.esr?.value ?? 0).toBeLessThan(a.esr?.value ?? 0);
    expect(b.ferritin?.value ?? 0).toBeGreaterThan(a.ferritin?.value ?? 0);
    expect(b.platelets?.value ?? 0).toBeLessThan(a.platelets?.value ?? 0);
  });

  it('a transfusion raises platelets and fibrinogen for a while', () => {
    const scenario = scenarioById('severe-rapid');
    const base = { ...initialPatient(scenario), activity: 1.2 };
    const transfused = intervene(base, { kind: 'transfusion' });
    const later = {
      ...transfused,
      hours:
        transfused.hours + 5 * simulationModel.transfusion.halfLifeHours.value,
    };
    const platelets = (s: PatientState) =>
      labsOf(s, scenario, createRandom(5)).platelets?.value ?? 0;
    expect(platelets(transfused)).toBeGreaterThan(platelets(base));
    expect(platelets(later) - platelets(base)).toBeLessThan(
      (platelets(transfused) - platelets(base)) / 10,
    );
  });

  it('an untreated bacterial infection worsens; antimicrobials clear it; they do nothing for EBV', () => {
    const infected = scenarioById('infection-triggered');
    const untreated = run(initialPatient(infected), 24, infected.id);
    const treated = run(
      intervene(initialPatient(infected), { kind: 'antimicrobials-started' }),
      24,
      infected.id,
    );
    expect(untreated.infection).toBeGreaterThan(infected.triggers.infection);
    expect(treated.infection).toBeLessThan(infected.triggers.infection);

    const ebv = scenarioById('ebv-driven');
    const withAntimicrobials = run(
      intervene(initialPatient(ebv), { kind: 'antimicrobials-started' }),
      48,
      ebv.id,
    );
    const without = run(initialPatient(ebv), 48, ebv.id);
    expect(withAntimicrobials.ebv).toBe(without.ebv);
    const rituximab = run(
      intervene(initialPatient(ebv), {
        kind: 'therapy-started',
        drug: 'rituximab',
      }),
      96,
      ebv.id,
    );
    expect(rituximab.ebv).toBeLessThan(
      run(initialPatient(ebv), 96, ebv.id).ebv,
    );
  });

  it('sCD25 arrives only after its send-out delay', () => {
    const scenario = scenarioById('steroid-responsive');
    const early = run(initialPatient(scenario), 10, scenario.id);
    const late = run(
      initialPatient(scenario),
      simulationModel.delays.sCD25Hours.value + 1,
      scenario.id,
    );
    expect(labsOf(early, scenario, createRandom(1)).sCD25).toBeUndefined();
    expect(labsOf(late, scenario, createRandom(1)).sCD25?.unit).toBe('U/mL');
  });

  it('NK activity and the marrow are read after their delays, showing the activity when they were taken', () => {
    const scenario = scenarioById('steroid-responsive');
    const florid = initialPatient(scenario);
    const now = labsOf(florid, scenario, createRandom(1));
    expect(now.nkActivityLowOrAbsent).toBeUndefined();
    expect(now.hemophagocytosis).toBeUndefined();
    const later = run(
      florid,
      Math.max(
        simulationModel.delays.nkActivityHours.value,
        simulationModel.delays.marrowHours.value,
      ),
      scenario.id,
    );
    expect(later.alive).toBe(true);
    const read = labsOf(later, scenario, createRandom(1));
    expect(read.nkActivityLowOrAbsent).toBe(true);
    expect(read.hemophagocytosis).toBe(true);
  });

  it('the etoposide nadir takes neutrophils down about its modelled day', () => {
    const scenario = scenarioById('refractory-emapalumab');
    const start = intervene(
      { ...initialPatient(scenario), activity: 0.2 },
      { kind: 'therapy-started', drug: 'etoposide' },
    );
    const atNadir = {
      ...start,
      hours: simulationModel.toxicity.etoposideNadirHours.value,
    };
    const neutrophils = (s: PatientState) =>
      labsOf(s, scenario, createRandom(2)).neutrophils?.value ?? 0;
    expect(neutrophils(atNadir)).toBeLessThan(neutrophils(start) / 2);
  });

  it("every number of the model outside the therapy table is a labelled parameter (value, unit, source, note): the labs' baselines and slopes too", () => {
    const unlabelled: string[] = [];
    const badlyLabelled: string[] = [];
    let labelled = 0;
    const walk = (value: unknown, path: string): void => {
      if (typeof value === 'number') {
        unlabelled.push(path);
        return;
      }
      if (typeof value !== 'object' || value === null) return;
      if ('value' in value && 'source' in value) {
        const parameter = value as Record<string, unknown>;
        const ok =
          typeof parameter['value'] === 'number' &&
          Number.isFinite(parameter['value']) &&
          typeof parameter['unit'] === 'string' &&
          ['assumption', 'calibrated', 'neutral'].includes(
            String(parameter['source']),
          ) &&
          typeof parameter['note'] === 'string' &&
          parameter['note'].trim() !== '';
        if (!ok) badlyLabelled.push(path);
        labelled += 1;
        return;
      }
      for (const [key, inner] of Object.entries(value)) {
        walk(inner, `${path}.${key}`);
      }
    };
    const { therapies, ...rest } = simulationModel;
    walk(rest, 'model');
    expect(unlabelled).toEqual([]);
    expect(badlyLabelled).toEqual([]);
    expect(labelled).toBeGreaterThan(60);
    expect(Object.keys(therapies).length).toBeGreaterThan(5);
  });

  it('an effect without good evidence is a labelled parameter, neutral by default: dexamethasone = methylprednisolone in CNS involvement', () => {
    expect(simulationModel.unproven.dexamethasoneCnsBenefit).toMatchObject({
      value: 0,
      source: 'neutral',
    });
    const scenario = scenarioById('cns-involvement');
    const dex = run(
      intervene(initialPatient(scenario), {
        kind: 'therapy-started',
        drug: 'dexamethasone',
      }),
      72,
      scenario.id,
    );
    const mp = run(
      intervene(initialPatient(scenario), {
        kind: 'therapy-started',
        drug: 'methylprednisolone',
      }),
      72,
      scenario.id,
    );
    expect(dex.activity).toBeCloseTo(mp.activity, 10);
  });
});
