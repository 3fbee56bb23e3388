import type { ScenarioInput } from '../lib/scenario.schema.js';

export const malignancyAssociated: ScenarioInput = {
  id: 'malignancy-associated',
  title: 'Malignancy-associated MAS',
  description:
    'A 35-year-old with AOSD-like illness whose MAS is driven by a lymphoma: it settles only once the malignancy is treated.',
  patient: {
    identifier: 'SIM-MALIGNANCY',
    weightKg: 70,
    heightCm: 175,
    birthDate: '1991-11-23',
    sex: 'male',
    underlyingDisease: 'AOSD',
  },
  activity: 0.9,
  drive: 0.4,
  triggers: { infection: 0, malignancy: true },
  expected: { mortality: { min: 0, max: 0.5 }, remissionAtLeast: 0.2 },
  basis: 'treat the malignancy with the oncologists (seed.subtype.2)',
};
