import { type Scenario, scenarioSchema } from '../lib/scenario.schema.js';
import { cnsInvolvement } from './cns-involvement.scenario.js';
import { ebvDriven } from './ebv-driven.scenario.js';
import { infectionTriggered } from './infection-triggered.scenario.js';
import { latePresentation } from './late-presentation.scenario.js';
import { malignancyAssociated } from './malignancy-associated.scenario.js';
import { refractoryEmapalumab } from './refractory-emapalumab.scenario.js';
import { relapseDuringTaper } from './relapse-during-taper.scenario.js';
import { severeRapid } from './severe-rapid.scenario.js';
import { steroidRefractory } from './steroid-refractory.scenario.js';
import { steroidResponsive } from './steroid-responsive.scenario.js';

/** Every scenario, validated. */
export const scenarios: readonly Scenario[] = [
  steroidResponsive,
  steroidRefractory,
  refractoryEmapalumab,
  cnsInvolvement,
  infectionTriggered,
  ebvDriven,
  malignancyAssociated,
  severeRapid,
  latePresentation,
  relapseDuringTaper,
].map((s) => scenarioSchema.parse(s));

/** The sJIA scenarios whose mix the mortality calibration uses. */
export const sjiaScenarioIds = scenarios
  .filter((s) => s.patient.underlyingDisease === 'sJIA')
  .map((s) => s.id);

export function scenarioById(id: string): Scenario {
  const found = scenarios.find((s) => s.id === id);
  if (!found) {
    throw new Error(
      `scenario: "${id}" is not one of ${scenarios.map((s) => s.id).join(', ')}`,
    );
  }
  return found;
}
