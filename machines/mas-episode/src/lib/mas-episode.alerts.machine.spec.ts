/**
 * Every alert is raised by its condition and cleared when the condition ends;
 * alerts never block.
 */
import { describe, expect, it } from '@jest/globals';

import {
  activeSjiaFlare,
  amira,
  febrileSjia,
  floridMas,
  panelOf,
} from '@mas/testing';

import {
  drAdams,
  drBaker,
  drChen,
  Episode,
  episodeInput,
  ev,
  exampleProfile,
  h,
  tick,
} from '../spec-support/episode.spec-support.js';
import { checkEvent } from './mas-episode.checks.js';
import type { AlertId, EpisodeInput } from './mas-episode.types.js';

const florid = panelOf(floridMas, febrileSjia);

interface AlertCase {
  readonly raise: (e: Episode) => void;
  /** Undefined: a flag that stays for the audit. */
  readonly clear?: (e: Episode) => void;
  readonly stage?: 'at-risk' | 'suspected';
  /** Another start than Amira suspected under the EXAMPLE profile. */
  readonly input?: () => EpisodeInput;
}

/** Amira suspected under a profile that sets no dose tolerance. */
function withoutDoseTolerance(): EpisodeInput {
  const profile = exampleProfile();
  return {
    ...episodeInput(amira, 'suspected'),
    profile: {
      ...profile,
      data: { ...profile.data, doseLimits: { hardFactorAboveSoftMax: 3 } },
    },
  };
}

const cases: Record<AlertId, AlertCase> = {
  'mas-not-considered': {
    stage: 'at-risk',
    raise: (e) => e.send(ev('labs.recorded', h(1), { panel: florid })),
    clear: (e) => e.send(ev('suspicion.recorded', h(2), {})),
  },
  'glucocorticoid-delayed': {
    raise: (e) => e.send(tick(h(7))),
    clear: (e) =>
      e.send(ev('therapy.started', h(8), { drug: 'methylprednisolone' })),
  },
  'cns-without-dexamethasone': {
    raise: (e) =>
      e.send(ev('labs.recorded', h(1), { panel: { cnsInvolvement: true } })),
    clear: (e) =>
      e.send(ev('therapy.started', h(2), { drug: 'dexamethasone' })),
  },
  'infection-without-antimicrobials': {
    raise: (e) =>
      e.send(ev('trigger.identified', h(1), { trigger: 'infection' })),
    clear: (e) =>
      e.send(ev('antimicrobials.started', h(2), { agents: ['ceftriaxone'] })),
  },
  'malignancy-not-treated': {
    raise: (e) =>
      e.send(ev('trigger.identified', h(1), { trigger: 'malignancy' })),
    clear: (e) => e.send(ev('malignancy-treatment.started', h(2), {})),
  },
  'reassessment-overdue': {
    raise: (e) =>
      e
        .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
        .send(tick(h(13))),
    clear: (e) => e.send(ev('reassessment.recorded', h(14), { panel: florid })),
  },
  'labs-overdue': {
    raise: (e) =>
      e
        .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
        .send(
          ev('reassessment.recorded', h(12), {
            panel: {},
            clinicalStatus: 'stable',
          }),
        )
        .send(ev('labs.recorded', h(2), { panel: florid }))
        .send(tick(h(27))),
    clear: (e) => e.send(ev('labs.recorded', h(28), { panel: florid })),
  },
  'monitoring-incomplete': {
    raise: (e) =>
      e.send(
        ev('reassessment.recorded', h(1), {
          panel: { ferritin: { value: 5000, unit: 'ng/mL' } },
        }),
      ),
    clear: (e) => e.send(ev('reassessment.recorded', h(2), { panel: florid })),
  },
  'severity-underestimated': {
    raise: (e) =>
      e.send(ev('support.started', h(1), { kind: 'renal-replacement' })),
    clear: (e) =>
      e.send(
        ev('severity.assessed', h(2), {
          severe: true,
          rapidlyWorsening: false,
        }),
      ),
  },
  'second-line-before-glucocorticoid': {
    raise: (e) =>
      e.send(
        ev(
          'therapy.started',
          h(1),
          { drug: 'ciclosporin' },
          drAdams,
          'steroid-sparing while infection excluded',
        ),
      ),
    clear: (e) =>
      e.send(ev('therapy.started', h(2), { drug: 'methylprednisolone' })),
  },
  'countersignature-overdue': {
    raise: (e) =>
      e
        .send(
          ev('severity.assessed', h(0.5), {
            severe: true,
            rapidlyWorsening: true,
          }),
        )
        .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
        .send(
          ev(
            'therapy.started',
            h(2),
            { drug: 'etoposide', emergency: true },
            drBaker,
            'collapse overnight',
          ),
        )
        .send(ev('reassessment.recorded', h(12), { panel: florid }))
        .send(ev('reassessment.recorded', h(24), { panel: florid }))
        .send(tick(h(26.5))),
    clear: (e) =>
      e.send(
        ev('escalation.countersigned', h(27), { drug: 'etoposide' }, drChen),
      ),
  },
  'escalation-indicated': {
    raise: (e) =>
      e.send(
        ev('severity.assessed', h(1), { severe: true, rapidlyWorsening: true }),
      ),
    clear: (e) =>
      e
        .send(ev('therapy.started', h(2), { drug: 'methylprednisolone' }))
        .send(ev('therapy.started', h(3), { drug: 'anakinra' })),
  },
  'rituximab-ebv-t-nk': {
    raise: (e) =>
      e
        .send(
          ev('trigger.identified', h(1), {
            trigger: 'ebv',
            ebvCellType: 'T/NK',
          }),
        )
        .send(
          ev('screening.recorded', h(1), {
            kind: 'hbv-serology',
            result: 'done',
          }),
        )
        .send(ev('therapy.started', h(2), { drug: 'rituximab' })),
    clear: (e) => e.send(ev('therapy.stopped', h(3), { drug: 'rituximab' })),
  },
  'clinical-diagnosis-without-criteria': {
    raise: (e) =>
      e.send(
        ev(
          'diagnosis.confirmed',
          h(1),
          { basis: 'clinical' },
          drAdams,
          'marrow haemophagocytosis, rising ferritin',
        ),
      ),
  },
  'dose-not-checked': {
    input: withoutDoseTolerance,
    raise: (e) =>
      e.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' })).send(
        ev(
          'therapy.started',
          h(2),
          {
            drug: 'tocilizumab',
            route: 'iv',
            dose: { value: 240, unit: 'mg' },
            schedule: { kind: 'daily' },
          },
          drAdams,
          'sJIA flare beside MAS',
        ),
      ),
    clear: (e) => e.send(ev('therapy.stopped', h(3), { drug: 'tocilizumab' })),
  },
  'dose-outside-rule': {
    raise: (e) =>
      e.send(
        ev('therapy.started', h(1), {
          drug: 'methylprednisolone',
          route: 'iv',
          dose: { value: 1200, unit: 'mg' },
          doseConfirmation: 'upper end for a child worsening fast',
        }),
      ),
    clear: (e) =>
      e.send(ev('therapy.stopped', h(2), { drug: 'methylprednisolone' })),
  },
  'anakinra-standard-dose': {
    raise: (e) =>
      e.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' })).send(
        ev(
          'therapy.started',
          h(2),
          {
            drug: 'anakinra',
            route: 'sc',
            dose: { value: 48, unit: 'mg' },
            schedule: { kind: 'daily' },
          },
          drAdams,
          'early targeted therapy',
        ),
      ),
    clear: (e) => e.send(ev('therapy.stopped', h(3), { drug: 'anakinra' })),
  },
  'therapy-recorded-twice': {
    raise: (e) =>
      e
        .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
        .send(ev('therapy.started', h(2), { drug: 'methylprednisolone' })),
    // The duplicate stopped, named by its start: the first runs on.
    clear: (e) =>
      e.send(
        ev('therapy.stopped', h(3), {
          drug: 'methylprednisolone',
          startedAt: h(2),
        }),
      ),
  },
  // Amira's pulse computed for 24 kg; the weight corrected to 12 kg: the
  // running dose is now above the range for her, until it is changed.
  'dose-outside-limits-now': {
    raise: (e) =>
      e.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' })).send(
        ev('measures.recorded', h(2), {
          weightKg: 12,
          confirmUnusual: ['weightKg'],
        }),
      ),
    clear: (e) =>
      e.send(
        ev('therapy.dose-changed', h(3), {
          drug: 'methylprednisolone',
          route: 'iv',
          dose: { value: 360, unit: 'mg' },
          schedule: { kind: 'daily' },
          givenAt: h(3),
        }),
      ),
  },
  'glucocorticoid-in-remission': {
    raise: (e) =>
      e
        .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
        .send(ev('therapy.stopped', h(4), { drug: 'methylprednisolone' }))
        .send(ev('remission.recorded', h(12), {}, drAdams, 'clinically quiet'))
        .send(ev('therapy.started', h(30), { drug: 'methylprednisolone' })),
    clear: (e) => e.send(ev('relapse.recorded', h(31), {})),
  },
  // Amira's pulse (720 mg for 24 kg, day 1 of 3) over, never stopped; the
  // weight then corrected to a tenth: its doses were past the hard limit.
  'dose-given-outside-limits-now': {
    raise: (e) =>
      e
        .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
        .send(tick(h(80)))
        .send(
          ev('measures.recorded', h(81), {
            weightKg: 2.4,
            confirmUnusual: ['weightKg'],
          }),
        ),
    clear: (e) =>
      e.send(ev('therapy.stopped', h(82), { drug: 'methylprednisolone' })),
  },
  // The only course stopped while MAS is suspected and not in remission:
  // told until treatment runs again (or a remission or the exclusion is
  // recorded).
  'no-treatment-running': {
    raise: (e) =>
      e
        .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
        .send(ev('therapy.stopped', h(4), { drug: 'methylprednisolone' })),
    clear: (e) =>
      e.send(ev('therapy.started', h(5), { drug: 'dexamethasone' })),
  },
  'criteria-masked-by-tocilizumab': {
    raise: (e) =>
      e
        .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
        .send(
          ev(
            'therapy.started',
            h(2),
            { drug: 'tocilizumab' },
            drAdams,
            'refractory arthritis',
          ),
        ),
    // No clear: tocilizumab acts for weeks; the masking stays for the episode.
  },
};

describe('alerts: raised by their condition, cleared when it ends', () => {
  const raise = (id: string, alertCase: AlertCase) => {
    const episode = new Episode(
      alertCase.input?.() ??
        episodeInput(amira, alertCase.stage ?? 'suspected'),
    );
    expect(episode.alertIds()).not.toContain(id);
    alertCase.raise(episode);
    return episode;
  };

  it.each(Object.entries(cases))(
    '%s is raised [seed.pitfalls.1, seed.pitfalls.3, seed.pitfalls.4, seed.monitoring.1, seed.monitoring.2, seed.subtype.2]',
    (id, alertCase) => {
      const episode = raise(id, alertCase);
      expect(episode.alertIds()).toContain(id);
      expect(episode.hasTag('alerting')).toBe(true);
      const alert = episode.context.alerts.find((a) => a.id === id);
      expect(alert?.evidence.length).toBeGreaterThan(0);
      expect(alert?.message.length).toBeGreaterThan(10);
    },
  );

  it('an incomplete reassessment names what it lacks as clinicians do, never by its field id [seed.monitoring.2]', () => {
    const episode = raise(
      'monitoring-incomplete',
      cases['monitoring-incomplete'],
    );
    const message =
      episode.context.alerts.find((a) => a.id === 'monitoring-incomplete')
        ?.message ?? '';
    expect(message).toMatch(/^The latest reassessment lacks: .*Platelets/);
    expect(message).not.toMatch(/\b(platelets|hemoglobin|ast|alt|ldh)\b/);
  });

  const clearable = Object.entries(cases).filter(
    (entry): entry is [string, Required<AlertCase>] =>
      entry[1].clear !== undefined,
  );
  it.each(clearable)(
    '%s is cleared [seed.pitfalls.1, seed.pitfalls.3, seed.pitfalls.4, seed.monitoring.1, seed.monitoring.2, seed.subtype.2]',
    (id, alertCase) => {
      const episode = raise(id, alertCase);
      alertCase.clear(episode);
      expect(episode.alertIds()).not.toContain(id);
      const entry = episode.context.alertLog.find((e) => e.id === id);
      expect(entry?.clearedAt).toBeDefined();
      // Once cleared, the record still says what the ward was told.
      expect(entry?.message).toMatch(/\w/);
      expect(['critical', 'warning', 'info']).toContain(entry?.severity);
    },
  );

  it('a clinical diagnosis without criteria stays flagged for the audit', () => {
    const episode = raise(
      'clinical-diagnosis-without-criteria',
      cases['clinical-diagnosis-without-criteria'],
    );
    episode.send(ev('labs.recorded', h(5), { panel: florid }));
    expect(episode.alertIds()).toContain('clinical-diagnosis-without-criteria');
  });

  it('under tocilizumab the 2016 criteria are flagged not applicable on later panels', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    episode.send(
      ev(
        'therapy.started',
        h(2),
        { drug: 'tocilizumab' },
        drAdams,
        'sJIA arthritis',
      ),
    );
    episode.send(ev('labs.recorded', h(3), { panel: florid }));
    expect(episode.context.lastScreen).toMatchObject({
      mas2016Applicable: false,
      mas2016Classified: false,
    });
  });

  it('mas-not-considered names the panel, and why it pointed to MAS while the latest screen still does [seed.pitfalls.3]', () => {
    const episode = new Episode(episodeInput(amira, 'at-risk'));
    episode.send(ev('labs.recorded', h(1), { panel: florid }));
    // The reasons are the screen's own (its specs pin them): here, that the
    // alert shows them all, as the screen gave them.
    const reasons = episode.context.lastScreen?.reasons ?? [];
    expect(reasons.length).toBeGreaterThan(1);
    const alert = (why: string) => ({
      id: 'mas-not-considered',
      severity: 'critical',
      message: `A panel of ${h(1)} pointed to MAS${why} but no suspicion is recorded.`,
      evidence: ['seed.pitfalls.3', 'seed.pitfalls.1', 'review.section-10'],
      since: h(1),
    });
    expect(episode.context.alerts).toEqual([alert(` (${reasons.join('; ')})`)]);

    episode.send(
      ev('labs.recorded', h(2), {
        panel: panelOf(activeSjiaFlare, febrileSjia),
      }),
    );
    expect(episode.context.lastScreen?.suggestive).toBe(false);
    expect(episode.context.alerts).toEqual([alert('')]);
  });

  it('newly raised alerts are requested as a notification effect, once', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode.send(ev('trigger.identified', h(1), { trigger: 'malignancy' }));
    expect(episode.actions).toEqual([
      expect.objectContaining({
        type: 'notifyClinician',
        params: {
          alerts: [expect.objectContaining({ id: 'malignancy-not-treated' })],
        },
      }),
    ]);
    episode.send(tick(h(2)));
    expect(episode.actions).toEqual([]);
  });

  it('a standing alert that turns graver is notified again; one that eases is not [review.section-10]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode.send(ev('labs.recorded', h(0.5), { panel: florid }));
    // 900 mg for 24 kg, confirmed above the 720 mg soft limit.
    episode.send(
      ev('therapy.started', h(1), {
        drug: 'methylprednisolone',
        route: 'iv',
        dose: { value: 900, unit: 'mg' },
        schedule: { kind: 'pulse', day: 1, of: 3 },
        doseConfirmation: 'pharmacy agreed',
      }),
    );
    const weighed = (at: string, weightKg: number) =>
      ev('measures.recorded', at, { weightKg, confirmUnusual: ['weightKg'] });
    const notified = () =>
      episode.actions.flatMap((action) =>
        action.type === 'notifyClinician'
          ? (
              action as {
                params: { alerts: { id: string; severity: string }[] };
              }
            ).params.alerts.map((a) => `${a.id}:${a.severity}`)
          : [],
      );
    episode.send(weighed(h(2), 16));
    expect(notified()).toEqual(['dose-outside-limits-now:warning']);
    // 5 kg: past the hard limit, the same alert now critical.
    episode.send(weighed(h(3), 5));
    expect(notified()).toEqual(['dose-outside-limits-now:critical']);
    // Back to 16 kg: a warning again, graver no more: nothing new to tell.
    episode.send(weighed(h(4), 16));
    expect(
      episode.context.alerts.find((a) => a.id === 'dose-outside-limits-now')
        ?.severity,
    ).toBe('warning');
    expect(notified()).toEqual([]);
  });

  it("a dose outside its route's soft limit needs the prescriber's confirmation, then alerts while it runs: ciclosporin IV at an oral dose [seed.second-line.3]", () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode.send(
      ev('therapy.started', h(1), {
        drug: 'methylprednisolone',
        route: 'iv',
        dose: { value: 720, unit: 'mg' },
      }),
    );
    expect(episode.alertIds()).not.toContain('dose-outside-rule');
    const ciclosporin = (doseConfirmation?: string) =>
      ev(
        'therapy.started',
        h(2),
        {
          drug: 'ciclosporin',
          route: 'iv',
          dose: { value: 96, unit: 'mg' },
          schedule: { kind: 'daily' },
          ...(doseConfirmation ? { doseConfirmation } : {}),
        },
        drAdams,
        'MAS on steroids',
      );
    expect(episode.can(ciclosporin())).toBe(false);
    expect(checkEvent(episode.context, ciclosporin()).reason).toMatch(
      /outside the dose range, confirm with a reason.*ciclosporin/,
    );
    expect(
      checkEvent(episode.context, ciclosporin()).confirmationWouldAllow,
    ).toBe(true);
    episode.send(
      ciclosporin('oral absorption unreliable, IV at the oral dose'),
    );
    const alert = episode.context.alerts.find(
      (a) => a.id === 'dose-outside-rule',
    );
    expect(alert?.message).toMatch(/ciclosporin/);
    expect(alert?.message).toMatch(
      /outside range, confirmed by dr-adams: oral absorption unreliable/,
    );
    expect(episode.context.therapies[1]?.doseCheck).toMatchObject({
      tier: 'soft',
      confirmedBy: drAdams,
    });
  });
});
