import type { ScenarioInput } from '../lib/scenario.schema.js';

export const ebvDriven: ScenarioInput = {
  id: 'ebv-driven',
  title: 'EBV-driven MAS',
  description:
    'A 14-year-old with SLE and EBV in B cells driving MAS: antimicrobials do nothing; rituximab clears the virus.',
  patient: {
    identifier: 'SIM-EBV',
    weightKg: 48,
    heightCm: 158,
    birthDate: '2012-09-01',
    sex: 'female',
    underlyingDisease: 'SLE',
  },
  activity: 0.9,
  drive: 0.5,
  triggers: {
    infection: 0,
    ebv: { load: 0.6, cellType: 'B' },
    malignancy: false,
  },
  expected: { mortality: { min: 0, max: 0.25 }, remissionAtLeast: 0.5 },
  basis: 'rituximab for EBV-associated MAS (seed.refractory.4)',
};
