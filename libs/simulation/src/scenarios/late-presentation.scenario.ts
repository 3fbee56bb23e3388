import type { ScenarioInput } from '../lib/scenario.schema.js';

export const latePresentation: ScenarioInput = {
  id: 'late-presentation',
  title: 'Late presentation',
  description:
    'A 6-year-old with sJIA who was febrile at home for days: MAS is advanced when the episode opens.',
  patient: {
    identifier: 'SIM-LATE',
    weightKg: 21,
    heightCm: 116,
    birthDate: '2020-04-18',
    sex: 'female',
    underlyingDisease: 'sJIA',
  },
  activity: 1.2,
  drive: 1,
  presentationDelayHours: 72,
  organDysfunction: 0.4,
  expected: { mortality: { min: 0, max: 0.3 }, remissionAtLeast: 0.5 },
  basis:
    'hours matter: delay raises mortality (seed.pitfalls.1, clinical-facts §8)',
};
