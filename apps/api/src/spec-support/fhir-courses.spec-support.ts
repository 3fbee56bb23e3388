/**
 * The FHIR specs' source: the ten simulator scenarios' courses under the
 * protocol policy, as the service holds them (alternately real and training).
 */
import { explainSnapshot } from '@mas/mas-episode';
import { policies, simulateCourse } from '@mas/mas-episode/simulation';
import { scenarios } from '@mas/simulation';

import type { FhirEpisodeSource } from '../app/fhir/fhir-resources.util.js';
import { exampleProfile } from './api.spec-support.js';

/** The ten scenarios' courses under the protocol policy, as the service holds them. */
export function fhirCourses(): FhirEpisodeSource[] {
  return scenarios.map((scenario, index) => {
    const course = simulateCourse({
      scenario,
      policy: policies.protocol,
      seed: 100 + index,
      profile: exampleProfile,
    });
    const snapshot = course.finalSnapshot;
    const explained = explainSnapshot(snapshot);
    return {
      id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      kind: index % 2 === 0 ? 'real' : 'training',
      patient: scenario.patient,
      openedAt: snapshot.context.openedAt,
      stage: explained.stage,
      final: explained.final,
      value: snapshot.value,
      alerts: snapshot.context.alerts,
      nextDueAt: null,
      suspicionAt: snapshot.context.suspicionAt,
      protocol: snapshot.context.protocol,
      entries: course.events.map((event, seq) => ({
        seq: seq + 1,
        type: event.type,
        payload: event.payload,
        actorId: event.actor.id,
        actorRole: event.actor.role,
        occurredAt: event.at,
        recordedAt: event.at,
        rationale: event.rationale ?? null,
      })),
      reads: [
        {
          id: '10000000-0000-4000-8000-000000000001',
          at: snapshot.context.openedAt,
          actorId: 'dr-adams',
          actorRole: 'clinician',
          action: 'episode.read',
        },
        {
          id: '10000000-0000-4000-8000-000000000002',
          at: snapshot.context.openedAt,
          actorId: 'auditor-ames',
          actorRole: 'auditor',
          action: 'fhir.search',
        },
      ],
    };
  });
}
