import type { ScenarioInput } from '../lib/scenario.schema.js';

export const relapseDuringTaper: ScenarioInput = {
  id: 'relapse-during-taper',
  title: 'Relapse during the taper',
  description:
    'An 11-year-old with sJIA-MAS who responds, then relapses as glucocorticoids are tapered: back to active treatment.',
  patient: {
    identifier: 'SIM-RELAPSE',
    weightKg: 35,
    heightCm: 144,
    birthDate: '2015-08-08',
    sex: 'female',
    underlyingDisease: 'sJIA',
  },
  activity: 0.9,
  drive: 0.8,
  relapseDuringTaper: { afterHours: 48, drive: 1.2 },
  expected: { mortality: { min: 0, max: 0.15 }, remissionAtLeast: 0.5 },
  basis:
    'remission is not final: relapse during the taper leads back to active treatment (clinical-facts §10)',
};
