import type { ScenarioInput } from '../lib/scenario.schema.js';

export const steroidRefractory: ScenarioInput = {
  id: 'steroid-refractory',
  title: 'Steroid-refractory sJIA-MAS needing anakinra and ciclosporin',
  description:
    'A 12-year-old with sJIA whose MAS does not settle on the pulse; responds once high-dose anakinra and ciclosporin are added.',
  patient: {
    identifier: 'SIM-STEROID-REFRACTORY',
    weightKg: 38,
    heightCm: 148,
    birthDate: '2014-02-02',
    sex: 'male',
    underlyingDisease: 'sJIA',
  },
  activity: 1,
  drive: 1.2,
  sensitivity: { methylprednisolone: 0.4, dexamethasone: 0.4 },
  expected: {
    mortality: { min: 0, max: 0.15 },
    remissionAtLeast: 0.7,
    escalates: true,
  },
  basis:
    'second-line therapy after an inadequate response (seed.second-line.1, seed.second-line.2)',
};
