/**
 * Complete clinical records for the suites, as the contract requires them:
 * a therapy with its dose, route, schedule and the time it was given; a
 * panel with the time its sample was drawn. Each time is named by the test
 * (most often the harness clock's "now"), never the wall clock.
 */
import type { Patient } from '@mas/contracts';
import { standardPrescription } from '@mas/mas-episode';
import type { DrugId, LabPanelInput } from '@mas/protocol';
import { amira, floridMas, panelOf } from '@mas/testing';

import { type Api, exampleProfile } from './api-harness.js';

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

/**
 * An episode of `identifier` (Amira's measures) with florid MAS labs, the
 * diagnosis confirmed on the criteria and the pulse started, all at `at`;
 * its id. Fails loudly if any step is refused.
 */
export async function openTreatedEpisode(
  api: Api,
  identifier: string,
  at: string,
): Promise<string> {
  const opened = await api.request('POST', '/api/episodes', {
    patient: { ...amira, identifier },
  });
  if (opened.status !== 201) {
    throw new Error(
      `open: ${String(opened.status)} ${JSON.stringify(opened.body)}`,
    );
  }
  let version = opened.body.version as number;
  for (const [type, payload] of [
    ['labs.recorded', labs(panelOf(floridMas), at)],
    ['diagnosis.confirmed', { basis: 'criteria' }],
    ['therapy.started', therapy('methylprednisolone', at)],
  ] as const) {
    const sent = await api.request(
      'POST',
      `/api/episodes/${String(opened.body.id)}/events`,
      { type, payload, expectedVersion: version },
    );
    if (sent.status !== 201) {
      throw new Error(
        `${type}: ${String(sent.status)} ${JSON.stringify(sent.body)}`,
      );
    }
    version = sent.body.version;
  }
  return opened.body.id as string;
}
