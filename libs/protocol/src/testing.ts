/**
 * Test data for the protocol library: the worked examples of
 * clinical-facts.md section 9 as panels, and small builders.
 */
import type { LabPanelInput } from './lib/panel/lab-panel.schema.js';
import type { Quantity } from './lib/units/quantity.util.js';

export const quantity = (value: number, unit: string): Quantity => ({
  value,
  unit,
});

/** Builds the three HScore blood counts for a number of cytopenic lineages. */
export function hscoreCounts(lineages: 0 | 1 | 2 | 3): LabPanelInput {
  return {
    hemoglobin: quantity(lineages >= 1 ? 8.5 : 12, 'g/dL'),
    leukocytes: quantity(lineages >= 2 ? 3.0 : 7.0, '10*9/L'),
    platelets: quantity(lineages >= 3 ? 80 : 250, '10*9/L'),
  };
}

interface HScoreExampleInput {
  readonly immunosuppression: boolean;
  readonly temperatureC: number;
  readonly organomegaly: 'none' | 'one' | 'both';
  readonly lineages: 0 | 1 | 2 | 3;
  readonly ferritin: number;
  readonly triglyceridesMmolL: number;
  readonly fibrinogenGL: number;
  readonly ast: number;
  readonly hemophagocytosis: boolean;
}

export function hscorePanel(input: HScoreExampleInput): LabPanelInput {
  return {
    knownImmunosuppression: input.immunosuppression,
    temperatureC: input.temperatureC,
    hepatomegaly: input.organomegaly !== 'none',
    splenomegaly: input.organomegaly === 'both',
    ...hscoreCounts(input.lineages),
    ferritin: quantity(input.ferritin, 'ng/mL'),
    triglycerides: quantity(input.triglyceridesMmolL, 'mmol/L'),
    fibrinogen: quantity(input.fibrinogenGL, 'g/L'),
    ast: quantity(input.ast, 'U/L'),
    hemophagocytosis: input.hemophagocytosis,
  };
}

/** clinical-facts.md section 9, HScore table. */
export const hscoreWorkedExamples = [
  {
    name: 'A',
    panel: hscorePanel({
      immunosuppression: false,
      temperatureC: 39.8,
      organomegaly: 'both',
      lineages: 2,
      ferritin: 15000,
      triglyceridesMmolL: 3.0,
      fibrinogenGL: 1.2,
      ast: 250,
      hemophagocytosis: false,
    }),
    score: 254,
    probability: '>99%',
    meetsCutoff: true,
  },
  {
    name: 'B',
    panel: hscorePanel({
      immunosuppression: true,
      temperatureC: 39.0,
      organomegaly: 'one',
      lineages: 1,
      ferritin: 4500,
      triglyceridesMmolL: 2.0,
      fibrinogenGL: 3.0,
      ast: 45,
      hemophagocytosis: false,
    }),
    score: 172,
    probability: '54-70%',
    meetsCutoff: true,
  },
  {
    name: 'C',
    panel: hscorePanel({
      immunosuppression: false,
      temperatureC: 39.5,
      organomegaly: 'none',
      lineages: 2,
      ferritin: 3000,
      triglyceridesMmolL: 1.4,
      fibrinogenGL: 2.0,
      ast: 28,
      hemophagocytosis: false,
    }),
    score: 138,
    probability: '9-16%',
    meetsCutoff: false,
  },
  {
    name: 'D (boundaries)',
    panel: hscorePanel({
      immunosuppression: false,
      temperatureC: 38.4,
      organomegaly: 'none',
      lineages: 2,
      ferritin: 2000,
      triglyceridesMmolL: 1.5,
      fibrinogenGL: 2.5,
      ast: 30,
      hemophagocytosis: false,
    }),
    score: 185,
    probability: '70-80%',
    meetsCutoff: true,
  },
  {
    name: 'E',
    panel: hscorePanel({
      immunosuppression: false,
      temperatureC: 38.0,
      organomegaly: 'none',
      lineages: 0,
      ferritin: 1200,
      triglyceridesMmolL: 1.2,
      fibrinogenGL: 4.0,
      ast: 25,
      hemophagocytosis: false,
    }),
    score: 0,
    probability: '<1%',
    meetsCutoff: false,
  },
  {
    name: 'F (maximum)',
    panel: hscorePanel({
      immunosuppression: true,
      temperatureC: 40.5,
      organomegaly: 'both',
      lineages: 3,
      ferritin: 8000,
      triglyceridesMmolL: 4.5,
      fibrinogenGL: 1.0,
      ast: 120,
      hemophagocytosis: true,
    }),
    score: 337,
    probability: '>99%',
    meetsCutoff: true,
  },
] as const;

export function mas2016Panel(
  febrile: boolean,
  ferritin: number,
  platelets: number,
  ast: number,
  triglyceridesMgDl: number,
  fibrinogenMgDl: number,
): LabPanelInput {
  return {
    febrile,
    sjiaKnownOrSuspected: true,
    ferritin: quantity(ferritin, 'ng/mL'),
    platelets: quantity(platelets, '10*9/L'),
    ast: quantity(ast, 'U/L'),
    triglycerides: quantity(triglyceridesMgDl, 'mg/dL'),
    fibrinogen: quantity(fibrinogenMgDl, 'mg/dL'),
  };
}

/** clinical-facts.md section 9, 2016 criteria table. */
export const mas2016WorkedExamples = [
  {
    name: '1',
    panel: mas2016Panel(true, 5000, 150, 80, 200, 300),
    applicable: true,
    additional: 4,
    classified: true,
  },
  {
    name: '2',
    panel: mas2016Panel(true, 684, 100, 100, 120, 400),
    applicable: true,
    additional: 2,
    classified: false,
  },
  {
    name: '3',
    panel: mas2016Panel(true, 685, 181, 48, 156, 360),
    applicable: true,
    additional: 2,
    classified: true,
  },
  {
    name: '4',
    panel: mas2016Panel(true, 3000, 250, 48, 157, 400),
    applicable: true,
    additional: 1,
    classified: false,
  },
  {
    name: '5',
    panel: mas2016Panel(true, 20000, 90, 30, 120, 450),
    applicable: true,
    additional: 1,
    classified: false,
  },
  {
    name: '6',
    panel: mas2016Panel(false, 10000, 100, 200, 300, 150),
    applicable: false,
    additional: 4,
    classified: false,
  },
] as const;
