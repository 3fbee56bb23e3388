import type { ScenarioInput } from '../lib/scenario.schema.js';

export const steroidResponsive: ScenarioInput = {
  id: 'steroid-responsive',
  title: 'Steroid-responsive sJIA-MAS',
  description:
    'A 7-year-old with known sJIA, febrile with falling platelets and rising ferritin; responds to the glucocorticoid pulse.',
  patient: {
    identifier: 'SIM-STEROID-RESPONSIVE',
    weightKg: 24,
    heightCm: 122,
    birthDate: '2019-05-14',
    sex: 'female',
    underlyingDisease: 'sJIA',
  },
  activity: 0.9,
  drive: 0.8,
  sensitivity: { methylprednisolone: 1.3, dexamethasone: 1.3 },
  expected: { mortality: { min: 0, max: 0.08 }, remissionAtLeast: 0.75 },
  basis: 'most sJIA-MAS responds to high-dose glucocorticoids (seed.initial.1)',
};
