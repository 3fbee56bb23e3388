import type { LabPanelInput } from '@mas/protocol';
import { masProtocol } from '@mas/protocol';

import { simulationModel, type TherapyDrug } from './model.parameters.js';
import { createRandom, type Random } from './random.js';
import type { Scenario } from './scenario.schema.js';

const model = simulationModel;
const HOUR = 3_600_000;

/** One virtual patient's hidden state: what the model knows, not the clinician. */
export interface PatientState {
  /** Hours since the episode opened. */
  readonly hours: number;
  readonly activity: number;
  readonly organ: number;
  readonly infection: number;
  readonly ebv: number;
  readonly malignancy: number;
  readonly alive: boolean;
  /** Drugs given, with the hour they started (and stopped). */
  readonly therapies: readonly {
    readonly drug: TherapyDrug;
    readonly startedAt: number;
    readonly stoppedAt?: number;
  }[];
  readonly antimicrobialsSince: number | null;
  readonly malignancyTreatedSince: number | null;
  readonly taperSince: number | null;
  readonly transfusedAt: number | null;
  /** Model output that counts against over-treatment. */
  readonly toxicities: readonly {
    readonly kind: string;
    readonly at: number;
  }[];
  /** Activity at each hour, for the sCD25 result that arrives late. */
  readonly history: readonly number[];
}

export function initialPatient(scenario: Scenario): PatientState {
  return {
    hours: 0,
    activity: scenario.activity,
    organ: scenario.organDysfunction,
    infection: scenario.triggers.infection,
    ebv: scenario.triggers.ebv?.load ?? 0,
    malignancy: scenario.triggers.malignancy ? 1 : 0,
    alive: true,
    therapies: [],
    antimicrobialsSince: null,
    malignancyTreatedSince: null,
    taperSince: null,
    transfusedAt: null,
    toxicities: [],
    history: [scenario.activity] as number[],
  };
}

/** Something done to the virtual patient (from the episode's events). */
export type Intervention =
  | { readonly kind: 'therapy-started'; readonly drug: string }
  | { readonly kind: 'therapy-stopped'; readonly drug: string }
  | { readonly kind: 'antimicrobials-started' }
  | { readonly kind: 'antimicrobials-stopped' }
  | { readonly kind: 'malignancy-treatment-started' }
  | { readonly kind: 'transfusion' }
  | { readonly kind: 'taper-started' };

const isDrug = (drug: string): drug is TherapyDrug => drug in model.therapies;

export function intervene(
  state: PatientState,
  intervention: Intervention,
): PatientState {
  switch (intervention.kind) {
    case 'therapy-started':
      if (!isDrug(intervention.drug)) return state;
      if (
        state.therapies.some(
          (t) => t.drug === intervention.drug && t.stoppedAt === undefined,
        )
      ) {
        return state;
      }
      return {
        ...state,
        therapies: [
          ...state.therapies,
          { drug: intervention.drug, startedAt: state.hours },
        ],
      };
    case 'therapy-stopped':
      return {
        ...state,
        therapies: state.therapies.map((t) =>
          t.drug === intervention.drug && t.stoppedAt === undefined
            ? { ...t, stoppedAt: state.hours }
            : t,
        ),
      };
    case 'antimicrobials-started':
      return { ...state, antimicrobialsSince: state.hours };
    case 'antimicrobials-stopped':
      return { ...state, antimicrobialsSince: null };
    case 'malignancy-treatment-started':
      return { ...state, malignancyTreatedSince: state.hours };
    case 'transfusion':
      return { ...state, transfusedAt: state.hours };
    case 'taper-started':
      return { ...state, taperSince: state.hours };
  }
}

function ramp(since: number, now: number, onset: number): number {
  return Math.min(1, Math.max(0, (now - since) / Math.max(onset, 1)));
}

/** Clearance of activity per hour by the therapies on board. */
function clearance(state: PatientState, scenario: Scenario): number {
  let total = 0;
  for (const t of state.therapies) {
    if (t.stoppedAt !== undefined) continue;
    const effect = model.therapies[t.drug];
    const sensitivity = scenario.sensitivity[t.drug] ?? 1;
    let rate = effect.clearancePerHour * sensitivity;
    if (t.drug === 'dexamethasone' && scenario.cns) {
      rate += model.unproven.dexamethasoneCnsBenefit.value;
    }
    // A taper halves the glucocorticoid effect.
    if (
      state.taperSince !== null &&
      (t.drug === 'methylprednisolone' || t.drug === 'dexamethasone')
    ) {
      rate /= 2;
    }
    total += rate * ramp(t.startedAt, state.hours, effect.onsetHours);
  }
  return total;
}

function onBoard(state: PatientState, drug: TherapyDrug): boolean {
  return state.therapies.some(
    (t) => t.drug === drug && t.stoppedAt === undefined,
  );
}

/** One hour of the model: activity, triggers, organs, costs, and death. */
export function stepHour(
  state: PatientState,
  scenario: Scenario,
  random: Random,
): PatientState {
  if (!state.alive) return state;
  const hours = state.hours + 1;
  // Triggers.
  const infection = Math.min(
    1,
    Math.max(
      0,
      state.infection +
        state.infection * model.infection.growthPerHour.value -
        (state.antimicrobialsSince === null
          ? 0
          : state.infection *
            model.infection.antimicrobialClearancePerHour.value),
    ),
  );
  const ebvCleared =
    (onBoard(state, 'rituximab') && scenario.triggers.ebv?.cellType === 'B'
      ? model.ebv.rituximabClearancePerHour.value
      : 0) +
    (onBoard(state, 'etoposide')
      ? model.ebv.etoposideClearancePerHour.value
      : 0);
  const ebv = Math.min(
    1,
    Math.max(
      0,
      state.ebv + state.ebv * (model.ebv.growthPerHour.value - ebvCleared),
    ),
  );
  const malignancy =
    state.malignancyTreatedSince === null
      ? state.malignancy
      : Math.max(
          0,
          state.malignancy - model.malignancy.treatmentClearancePerHour.value,
        );
  const relapse =
    scenario.relapseDuringTaper &&
    state.taperSince !== null &&
    hours - state.taperSince >= scenario.relapseDuringTaper.afterHours
      ? scenario.relapseDuringTaper.drive
      : 0;
  const drive =
    scenario.drive +
    relapse +
    infection * model.infection.driveWeight.value +
    ebv * model.ebv.driveWeight.value +
    malignancy * model.malignancy.driveWeight.value;
  const ceiling = model.activity.ceiling.value;
  const growth =
    model.activity.growthPerHour.value *
    drive *
    state.activity *
    (1 - state.activity / ceiling);
  const activity = Math.min(
    ceiling,
    Math.max(
      0,
      state.activity +
        growth -
        clearance(state, scenario) * state.activity +
        random.normal(0, model.activity.noiseSd.value),
    ),
  );
  const organ = Math.min(
    1,
    Math.max(
      0,
      state.organ +
        model.organ.followPerHour.value *
          (Math.min(1, activity * model.organ.perActivity.value) - state.organ),
    ),
  );
  // Costs of therapy.
  let toxicities = state.toxicities;
  let infectionAfter = infection;
  const infectionHazard = state.therapies
    .filter((t) => t.stoppedAt === undefined)
    .reduce(
      (sum, t) => sum + model.therapies[t.drug].infectionHazardPerHour,
      0,
    );
  if (random.chance(infectionHazard)) {
    toxicities = [
      ...toxicities,
      { kind: 'infection under immunosuppression', at: hours },
    ];
    infectionAfter = Math.max(
      infectionAfter,
      model.toxicity.infectionOnset.value,
    );
  }
  let organAfter = organ;
  if (
    onBoard(state, 'ciclosporin') &&
    random.chance(model.toxicity.ciclosporinPresHazardPerHour.value)
  ) {
    toxicities = [...toxicities, { kind: 'PRES on ciclosporin', at: hours }];
    organAfter = Math.min(1, organ + model.toxicity.presOrganHit.value);
  }
  const etoposide = state.therapies.find((t) => t.drug === 'etoposide');
  if (
    etoposide &&
    hours - etoposide.startedAt === model.toxicity.etoposideNadirHours.value
  ) {
    toxicities = [
      ...toxicities,
      { kind: 'etoposide neutropenic nadir', at: hours },
    ];
  }
  // Death.
  const hazard =
    model.mortality.hazardPerHour.value *
    activity *
    activity *
    (1 + model.mortality.organWeight.value * organAfter * organAfter) *
    (1 + model.mortality.infectionWeight.value * infectionAfter) *
    (1 + model.toxicity.nadirHazardWeight.value * nadirOf(state, hours));
  const alive = !random.chance(hazard);
  return {
    ...state,
    hours,
    activity,
    organ: organAfter,
    infection: infectionAfter,
    ebv,
    malignancy,
    alive,
    toxicities,
    history: appended(state.history, activity),
  };
}

/** How deep into the etoposide nadir the patient is (0 to the nadir depth). */
function nadirOf(state: PatientState, hours: number): number {
  const etoposide = state.therapies.find((t) => t.drug === 'etoposide');
  if (!etoposide) return 0;
  const from =
    hours - etoposide.startedAt - model.toxicity.etoposideNadirHours.value;
  return (
    model.toxicity.etoposideNadirDepth.value *
    Math.exp(-((from / model.toxicity.etoposideNadirWidthHours.value) ** 2))
  );
}

/**
 * The activity history grows by one value an hour. States are used one after
 * the other, so the next state shares the array (appending in place) rather
 * than copying it every hour; reads index it by hour, never by its length.
 */
function appended(
  history: readonly number[],
  value: number,
): readonly number[] {
  (history as number[]).push(value);
  return history;
}

/**
 * The random streams of one virtual patient: the course's (hour by hour) and
 * the labs' noise. The course runner and the training service both take them
 * from here, so the same seed gives the same patient on both sides.
 */
export function patientStreams(seed: number): { course: Random; labs: Random } {
  const course = createRandom(seed);
  const labs = course.fork();
  return { course, labs };
}

/** A work-up finding that arrives as a result (and is recorded as a trigger). */
export type Finding = 'infection' | 'ebv' | 'malignancy';

/**
 * The hour each work-up result became known, up to now: the scenario's
 * trigger once its result delay has passed, and an infection acquired under
 * treatment (a toxicity) from the hour it appeared. Absent: not known (yet).
 */
export function resultsKnownSince(
  scenario: Scenario,
  state: PatientState,
): Partial<Record<Finding, number>> {
  const known: Partial<Record<Finding, number>> = {};
  const upToNow = (hour: number | null): number | undefined =>
    hour !== null && hour <= state.hours ? hour : undefined;
  const acquired = state.toxicities.find((t) => t.kind.startsWith('infection'));
  const infection = upToNow(
    Math.min(
      scenario.triggers.infection > 0
        ? model.delays.infectionResultHours.value
        : Infinity,
      acquired?.at ?? Infinity,
    ),
  );
  if (infection !== undefined && Number.isFinite(infection)) {
    known.infection = infection;
  }
  const ebv = upToNow(
    scenario.triggers.ebv ? model.delays.ebvResultHours.value : null,
  );
  if (ebv !== undefined) known.ebv = ebv;
  const malignancy = upToNow(
    scenario.triggers.malignancy
      ? model.delays.malignancyResultHours.value
      : null,
  );
  if (malignancy !== undefined) known.malignancy = malignancy;
  return known;
}

/** The work-up results known now (what a clinician could act on). */
export function knownResults(
  scenario: Scenario,
  state: PatientState,
): {
  infection: boolean;
  ebv: 'B' | 'T/NK' | null;
  malignancy: boolean;
} {
  const since = resultsKnownSince(scenario, state);
  return {
    infection: since.infection !== undefined,
    ebv:
      since.ebv !== undefined && scenario.triggers.ebv
        ? scenario.triggers.ebv.cellType
        : null,
    malignancy: since.malignancy !== undefined,
  };
}

/** Whether the patient needs organ support now. */
export function needsOrganSupport(state: PatientState): boolean {
  return state.organ >= model.organ.supportAbove.value;
}

export function inRemission(state: PatientState): boolean {
  return state.activity < model.activity.remissionBelow.value;
}

const round = (value: number, digits = 1) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/**
 * The labs the virtual patient produces now. Physiology a clinician would
 * check: ferritin, transaminases, LDH and triglycerides rise with activity;
 * platelets, leukocytes and fibrinogen fall (consumption), and the ESR falls
 * with fibrinogen; a transfusion raises platelets and fibrinogen for a while;
 * the etoposide nadir takes neutrophils down; ciclosporin raises creatinine;
 * sCD25 arrives after its send-out delay (the value measured then).
 */
export function labsOf(
  state: PatientState,
  scenario: Scenario,
  random: Random,
): LabPanelInput {
  const a = state.activity;
  const L = model.labs;
  const noisy = (value: number, cv = L.noiseCv.value) =>
    Math.max(0, value * (1 + random.normal(0, cv)));
  const capped = Math.min(a, L.cytopeniaActivityCap.value);
  const fade =
    state.transfusedAt === null
      ? 0
      : 0.5 **
        ((state.hours - state.transfusedAt) /
          model.transfusion.halfLifeHours.value);
  const nadir = nadirOf(state, state.hours);
  const ciclosporin = state.therapies.find((t) => t.drug === 'ciclosporin');
  const nephro = ciclosporin
    ? (model.toxicity.ciclosporinCreatininePerDay.value *
        (state.hours - ciclosporin.startedAt)) /
      24
    : 0;
  const fibrinogenMgDl = Math.max(
    L.fibrinogenFloor.value,
    noisy(L.fibrinogenBaseline.value + L.fibrinogenPerActivity.value * capped) +
      model.transfusion.fibrinogenRise.value * fade,
  );
  const temperatureC = round(
    L.temperatureBaseline.value +
      L.temperaturePerActivity.value *
        Math.min(a, L.temperatureActivityCap.value) +
      L.temperaturePerInfection.value * state.infection +
      random.normal(0, L.temperatureSd.value),
  );
  const delayed = Math.max(0, state.hours - model.delays.sCD25Hours.value);
  const sCD25Activity =
    state.hours >= model.delays.sCD25Hours.value
      ? (state.history[delayed] ?? a)
      : null;
  const fever = masProtocol.definition.hlh2004.feverConvention.threshold.value;
  // Results taken earlier and read now: what the activity was then.
  const then = (delay: number) =>
    state.hours >= delay ? (state.history[state.hours - delay] ?? a) : null;
  const nk = then(model.delays.nkActivityHours.value);
  const marrow = then(model.delays.marrowHours.value);
  return {
    febrile: temperatureC >= fever,
    ...(scenario.patient.underlyingDisease === 'sJIA'
      ? { sjiaKnownOrSuspected: true }
      : {}),
    ...(scenario.cns && a > L.cnsSignsAbove.value
      ? { cnsInvolvement: true }
      : {}),
    ...(nk !== null && nk > model.findings.nkLowAbove.value
      ? { nkActivityLowOrAbsent: true }
      : {}),
    ...(marrow !== null && marrow > model.findings.hemophagocytosisAbove.value
      ? { hemophagocytosis: true }
      : {}),
    temperatureC,
    ferritin: {
      value: round(
        noisy(
          L.ferritinBaseline.value + L.ferritinPerActivitySquared.value * a * a,
        ),
        0,
      ),
      unit: 'ng/mL',
    },
    platelets: {
      value: round(
        Math.max(
          L.plateletsFloor.value,
          noisy(
            L.plateletsBaseline.value + L.plateletsPerActivity.value * capped,
          ) +
            model.transfusion.plateletRise.value * fade,
        ),
        0,
      ),
      unit: '10*9/L',
    },
    leukocytes: {
      value: round(
        Math.max(
          L.leukocytesFloor.value,
          noisy(
            L.leukocytesBaseline.value + L.leukocytesPerActivity.value * capped,
          ),
        ),
      ),
      unit: '10*9/L',
    },
    neutrophils: {
      value: round(
        Math.max(
          L.neutrophilsFloor.value,
          noisy(
            (L.neutrophilsBaseline.value +
              L.neutrophilsPerActivity.value * capped) *
              (1 - nadir),
          ),
        ),
      ),
      unit: '10*9/L',
    },
    hemoglobin: {
      value: round(
        noisy(
          L.hemoglobinBaseline.value + L.hemoglobinPerActivity.value * capped,
        ),
        0,
      ),
      unit: 'g/L',
    },
    fibrinogen: { value: round(fibrinogenMgDl, 0), unit: 'mg/dL' },
    esr: {
      value: round(
        Math.max(
          L.esrFloor.value,
          noisy(L.esrPerFibrinogen.value * fibrinogenMgDl),
        ),
        0,
      ),
      unit: 'mm/h',
    },
    ast: {
      value: round(noisy(L.astBaseline.value + L.astPerActivity.value * a), 0),
      unit: 'U/L',
    },
    alt: {
      value: round(noisy(L.altBaseline.value + L.altPerActivity.value * a), 0),
      unit: 'U/L',
    },
    ldh: {
      value: round(noisy(L.ldhBaseline.value + L.ldhPerActivity.value * a), 0),
      unit: 'U/L',
    },
    triglycerides: {
      value: round(
        noisy(
          L.triglyceridesBaseline.value + L.triglyceridesPerActivity.value * a,
        ),
        0,
      ),
      unit: 'mg/dL',
    },
    crp: {
      value: round(
        noisy(
          L.crpBaseline.value +
            L.crpPerActivity.value * a +
            L.crpPerInfection.value * state.infection,
        ),
      ),
      unit: 'mg/L',
    },
    creatinine: {
      value: round(
        noisy(
          L.creatinineBaseline.value +
            L.creatininePerOrgan.value * state.organ +
            nephro,
        ),
        0,
      ),
      unit: 'umol/L',
    },
    bilirubin: {
      value: round(
        noisy(L.bilirubinBaseline.value + L.bilirubinPerActivity.value * a),
      ),
      unit: 'umol/L',
    },
    ...(sCD25Activity === null
      ? {}
      : {
          sCD25: {
            value: round(
              noisy(
                L.sCD25Baseline.value +
                  L.sCD25PerActivity.value * sCD25Activity,
              ),
              0,
            ),
            unit: 'U/mL',
          },
        }),
  };
}

export { HOUR };
