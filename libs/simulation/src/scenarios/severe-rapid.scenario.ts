import type { ScenarioInput } from '../lib/scenario.schema.js';

export const severeRapid: ScenarioInput = {
  id: 'severe-rapid',
  title: 'Severe and rapidly worsening MAS',
  description:
    'A 9-year-old with sJIA-MAS in shock needing ventilation: combination therapy up front, not step by step.',
  patient: {
    identifier: 'SIM-SEVERE',
    weightKg: 27,
    heightCm: 131,
    birthDate: '2017-01-05',
    sex: 'male',
    underlyingDisease: 'sJIA',
  },
  activity: 1.3,
  drive: 1.6,
  organDysfunction: 0.7,
  expected: {
    mortality: { min: 0, max: 0.35 },
    remissionAtLeast: 0.4,
    escalates: true,
  },
  basis: 'combination up front when severe (seed.second-line.5)',
};
