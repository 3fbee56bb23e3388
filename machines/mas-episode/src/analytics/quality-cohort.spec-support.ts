/**
 * A fixed cohort for the quality indicators' specs: named patients driven
 * through the real machine with explicit times, each stored as the service
 * stores it (the first snapshot as JSON, every accepted event as an audit
 * entry read back with `eventOfAuditEntry`).
 *
 * The example profile: first glucocorticoid within 6 h of suspicion,
 * countersignature within 24 h, response judged from 48 h. Reassessment
 * every 12 h (protocol).
 */
import type { EpisodeEvent, Patient } from '@mas/contracts';
import {
  activeSjiaFlare,
  amira,
  ben,
  chloe,
  dario,
  febrileSjia,
  floridMas,
  hana,
  improved,
  kofi,
  panelOf,
  unchanged,
} from '@mas/testing';

import { masEpisodeMachine } from '../lib/mas-episode.machine.js';
import { eventOfAuditEntry } from '../lib/mas-episode.persistence.js';
import type { InitialStage } from '../lib/mas-episode.types.js';
import {
  complete,
  drAdams,
  drBaker,
  drChen,
  Episode,
  episodeInput,
  ev,
  h,
} from '../spec-support/episode.spec-support.js';
import type { QualityEpisodeInput } from './episode-facts.js';

/** 2 April 2026 08:00 UTC plus `hours` (h() is 1 March 2026 08:00 UTC plus hours). */
export function apr(hours: number): string {
  return new Date(
    Date.parse('2026-04-02T08:00:00.000Z') + hours * 3_600_000,
  ).toISOString();
}

/** The episode as the service keeps it: first snapshot and audited events. */
export function audited(
  episodeId: string,
  patient: Patient,
  stage: InitialStage,
  openedAt: string,
  events: readonly EpisodeEvent[],
  options: { ward?: string; kind?: 'real' | 'training' } = {},
): QualityEpisodeInput {
  const episode = new Episode({
    ...episodeInput(patient, stage, openedAt),
    episodeId,
  });
  const initialSnapshot: unknown = JSON.parse(
    JSON.stringify(masEpisodeMachine.getPersistedSnapshot(episode.snapshot)),
  );
  const recorded = events.map((spec, index) => {
    const event = complete(episode.context, spec);
    episode.send(event);
    return eventOfAuditEntry({
      seq: index + 1,
      type: event.type,
      occurredAt: event.at,
      actorId: event.actor.id,
      actorRole: event.actor.role,
      payload: JSON.parse(JSON.stringify(event.payload)) as unknown,
      rationale: event.rationale ?? null,
    });
  });
  return {
    episodeId,
    kind: options.kind ?? 'real',
    initialSnapshot,
    events: recorded,
    ward: options.ward ?? null,
  };
}

const florid = panelOf(floridMas, febrileSjia);
const floridUnchanged = panelOf(unchanged(floridMas), febrileSjia);

/**
 * - amira (March, Ward 3): suspected 08:00; infection trigger, never
 *   covered; methylprednisolone 10:30; reassessed at 12 h (due 12 h: on
 *   time) and 26 h (due 24 h: 2 h late); remission 30 h; closed 40 h.
 * - ben (March, PICU): suspected 08:00; methylprednisolone at 8 h (limit
 *   6 h); rapidly worsening at 10 h (escalation indicated), anakinra at 11 h;
 *   reassessed at 12 h (on time; still rapidly worsening: indicated again),
 *   ruxolitinib requested at 13.5 h, approved by a second senior, started at
 *   14 h; died at 30 h with the 24-h reassessment 6 h overdue.
 * - chloe (April, Ward 3): at risk from 08:00 2 April, seizures on the
 *   panel at 1 h, suspected at 2 h, methylprednisolone at 3 h, a decision
 *   to keep methylprednisolone for the CNS at 4 h; reassessed at 13, 24 and
 *   36 h (due 14, 25, 36 h: all on time); rapidly worsening at 14 h,
 *   emergency etoposide at 16 h, countersigned at 45 h (window ended 40 h);
 *   transferred out at 46 h.
 * - dario (April, no ward): suspected 08:00 2 April; infection trigger at
 *   1 h, antimicrobials at 1.5 h; methylprednisolone at 2 h; reassessed at
 *   15 h (due 12 h: 3 h late); MAS excluded at 20 h.
 * - kofi (March, training): a late glucocorticoid that must not count.
 * - hana (March): at risk, never suspected: no indicator applies.
 */
export function qualityCohort(): QualityEpisodeInput[] {
  const withSeizures = panelOf(floridMas, {
    ...febrileSjia,
    cnsInvolvement: true,
  });
  const bacteraemic = panelOf(floridMas, { febrile: true });
  return [
    audited(
      'amira',
      amira,
      'suspected',
      h(0),
      [
        ev('labs.recorded', h(0.5), { panel: florid }),
        ev('trigger.identified', h(1), { trigger: 'infection' }),
        ev('therapy.started', h(2.5), { drug: 'methylprednisolone' }),
        ev('reassessment.recorded', h(12), { panel: floridUnchanged }),
        ev('reassessment.recorded', h(26), {
          panel: panelOf(improved(floridMas), febrileSjia),
        }),
        ev(
          'remission.recorded',
          h(30),
          {},
          drAdams,
          'afebrile, counts recovering',
        ),
        ev('episode.closed', h(40), {}),
      ],
      { ward: 'Ward 3' },
    ),
    audited(
      'ben',
      ben,
      'suspected',
      h(0),
      [
        ev('labs.recorded', h(0.5), { panel: florid }),
        ev('therapy.started', h(8), { drug: 'methylprednisolone' }),
        ev('severity.assessed', h(10), {
          severe: true,
          rapidlyWorsening: true,
        }),
        ev('therapy.started', h(11), { drug: 'anakinra' }),
        ev('reassessment.recorded', h(12), { panel: floridUnchanged }),
        ev(
          'escalation.requested',
          h(13.5),
          {
            requestId: 'req-1',
            drug: 'ruxolitinib',
            evidence: ['seed.refractory.2'],
          },
          drBaker,
          'worsening on methylprednisolone and anakinra',
        ),
        ev(
          'escalation.approved',
          h(13.75),
          { requestId: 'req-1' },
          drChen,
          'agree: worsening on two lines',
        ),
        ev('therapy.started', h(14), { drug: 'ruxolitinib' }, drBaker),
        ev('death.recorded', h(30), {}),
      ],
      { ward: 'PICU' },
    ),
    audited(
      'chloe',
      chloe,
      'at-risk',
      apr(0),
      [
        ev('labs.recorded', apr(1), { panel: withSeizures }),
        ev('suspicion.recorded', apr(2), {}),
        ev('therapy.started', apr(3), { drug: 'methylprednisolone' }),
        ev(
          'decision.recorded',
          apr(4),
          {
            topic: 'cns-dexamethasone',
            choice: 'methylprednisolone-continued',
          },
          drAdams,
          'seizure was febrile, MRI normal',
        ),
        ev('reassessment.recorded', apr(13), { panel: withSeizures }),
        ev('severity.assessed', apr(14), {
          severe: true,
          rapidlyWorsening: true,
        }),
        ev(
          'therapy.started',
          apr(16),
          { drug: 'etoposide', emergency: true },
          drBaker,
          'deteriorating overnight, no second senior on site',
        ),
        ev('severity.assessed', apr(20), {
          severe: true,
          rapidlyWorsening: false,
        }),
        ev('reassessment.recorded', apr(24), { panel: withSeizures }),
        ev('reassessment.recorded', apr(36), { panel: withSeizures }),
        ev('escalation.countersigned', apr(45), { drug: 'etoposide' }, drChen),
        ev('transfer-out.recorded', apr(46), {}),
      ],
      { ward: 'Ward 3' },
    ),
    audited('dario', dario, 'suspected', apr(0), [
      ev('trigger.identified', apr(1), { trigger: 'infection' }),
      ev('antimicrobials.started', apr(1.5), {
        agents: ['piperacillin-tazobactam'],
      }),
      ev('therapy.started', apr(2), { drug: 'methylprednisolone' }),
      ev('reassessment.recorded', apr(15), { panel: bacteraemic }),
      ev(
        'diagnosis.excluded',
        apr(20),
        {},
        drAdams,
        'bacteraemia explains the picture',
      ),
    ]),
    audited(
      'kofi',
      kofi,
      'suspected',
      h(0),
      [ev('therapy.started', h(20), { drug: 'methylprednisolone' })],
      { ward: 'PICU', kind: 'training' },
    ),
    audited('hana', hana, 'at-risk', h(0), [
      ev('labs.recorded', h(1), {
        panel: panelOf(activeSjiaFlare, febrileSjia),
      }),
    ]),
  ];
}
