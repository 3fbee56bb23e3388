import type { ScenarioInput } from '../lib/scenario.schema.js';

export const infectionTriggered: ScenarioInput = {
  id: 'infection-triggered',
  title: 'Infection-triggered MAS',
  description:
    'A 9-year-old with sJIA and a bacterial infection that triggered MAS: antimicrobials alongside immunosuppression; untreated, the infection worsens.',
  patient: {
    identifier: 'SIM-INFECTION',
    weightKg: 28,
    heightCm: 132,
    birthDate: '2017-03-11',
    sex: 'male',
    underlyingDisease: 'sJIA',
  },
  activity: 0.9,
  drive: 0.7,
  triggers: { infection: 0.5, malignancy: false },
  expected: { mortality: { min: 0, max: 0.2 }, remissionAtLeast: 0.6 },
  basis:
    'treat the trigger: antimicrobials for infection (seed.subtype.3, seed.pitfalls.2)',
};
