import type { ScenarioInput } from '../lib/scenario.schema.js';

export const refractoryEmapalumab: ScenarioInput = {
  id: 'refractory-emapalumab',
  title: 'Refractory MAS needing emapalumab',
  description:
    'A 16-year-old with sJIA-MAS refractory to glucocorticoids, anakinra and ciclosporin; settles on interferon-gamma blockade.',
  patient: {
    identifier: 'SIM-REFRACTORY',
    weightKg: 55,
    heightCm: 165,
    birthDate: '2010-01-20',
    sex: 'male',
    underlyingDisease: 'sJIA',
  },
  activity: 1.1,
  drive: 1.5,
  sensitivity: {
    methylprednisolone: 0.3,
    dexamethasone: 0.3,
    anakinra: 0.3,
    ciclosporin: 0.3,
    emapalumab: 1.5,
  },
  expected: {
    mortality: { min: 0, max: 0.3 },
    remissionAtLeast: 0.4,
    escalates: true,
  },
  basis: 'refractory MAS: emapalumab with four eyes (seed.refractory.1)',
};
