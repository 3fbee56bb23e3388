/**
 * Complete clinical records for the suites, as the contract requires them:
 * a therapy with its dose, route, schedule and the time it was given; a
 * panel with the time its sample was drawn. Each time is named by the test
 * (most often the harness clock's "now"), never the wall clock.
 */
import type { Patient } from '@mas/contracts';
import { standardPrescription } from '@mas/mas-episode';
import type { DrugId, LabPanelInput } from '@mas/protocol';
import { amira } from '@mas/testing';

import { exampleProfile } from './api-harness.js';

/**
 * A `therapy.started` payload: the standard prescription of `drug` for
 * `patient` (the dose the calculator computes, within the limits), given at
 * `givenAt`; `extra` adds or replaces fields (a dose as given, `emergency`,
 * `doseConfirmation`).
 */
export function therapy(
  drug: DrugId,
  givenAt: string,
  extra: Record<string, unknown> = {},
  patient: Pick<Patient, 'weightKg' | 'heightCm'> = amira,
) {
  return {
    drug,
    ...standardPrescription(drug, patient, exampleProfile),
    givenAt,
    ...extra,
  };
}

/** A `labs.recorded` or `reassessment.recorded` payload. */
export function labs(
  panel: LabPanelInput,
  collectedAt: string,
  extra: Record<string, unknown> = {},
) {
  return { panel, collectedAt, ...extra };
}
