import type { ScenarioInput } from '../lib/scenario.schema.js';

export const cnsInvolvement: ScenarioInput = {
  id: 'cns-involvement',
  title: 'sJIA-MAS with CNS involvement',
  description:
    'A 10-year-old with sJIA-MAS and seizures: dexamethasone should be considered (and the decision recorded either way).',
  patient: {
    identifier: 'SIM-CNS',
    weightKg: 32,
    heightCm: 138,
    birthDate: '2016-06-30',
    sex: 'female',
    underlyingDisease: 'sJIA',
  },
  activity: 1,
  drive: 1,
  cns: true,
  organDysfunction: 0.3,
  expected: { mortality: { min: 0, max: 0.2 }, remissionAtLeast: 0.6 },
  basis:
    'dexamethasone considered in CNS involvement (seed.initial.2); its extra benefit is a neutral model parameter',
};
