import { describe, expect, it } from '@jest/globals';

import { episodeEventTypes } from '@mas/contracts';
import { recordingRules } from '@mas/protocol';
import { amira, febrileSjia, floridMas, improved, panelOf } from '@mas/testing';

import {
  drAdams,
  drBaker,
  Episode,
  episodeInput,
  ev,
  h,
  nurseDiaz,
  scheduler,
  tick,
} from '../spec-support/episode.spec-support.js';
import { checkEvent } from './mas-episode.checks.js';

const florid = panelOf(floridMas, febrileSjia);
const prednisolone = {
  system: 'http://www.whocc.no/atc',
  code: 'H02AB06',
  display: 'prednisolone',
} as const;

describe('who records what, and when', () => {
  it('every event type of the contracts has its roles in the recording rules, and only the service sends the clock', () => {
    expect(Object.keys(recordingRules.eventRoles).sort()).toEqual(
      [...episodeEventTypes].sort(),
    );
    expect(recordingRules.eventRoles['clock.ticked']).toEqual(['system']);
  });

  it("a user's clock event is refused; the scheduler's moves the clock [seed.monitoring.1]", () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    const userTick = ev('clock.ticked', h(13), {}, drAdams);
    expect(episode.can(userTick)).toBe(false);
    expect(checkEvent(episode.context, userTick).reason).toMatch(
      /the clock is moved by the service scheduler alone/,
    );
    episode.send(tick(h(13)));
    expect(episode.context.now).toBe(h(13));
  });

  it('only prescribers start a therapy or decide a diagnosis; results may come from the laboratory interface [seed.initial.1]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    expect(
      episode.refusal(
        ev('therapy.started', h(1), { drug: 'methylprednisolone' }, nurseDiaz),
      ),
    ).toMatch(/recorded by a clinician or senior clinician, not by the nurse/);
    expect(
      episode.can(
        ev('diagnosis.confirmed', h(1), { basis: 'criteria' }, nurseDiaz),
      ),
    ).toBe(false);
    episode.send(ev('labs.recorded', h(1), { panel: florid }, scheduler));
    expect(episode.context.lastPanel?.at).toBe(h(1));
  });

  it('a therapy is dated when it was given; the record keeps when it was entered', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode.send(
      ev('therapy.started', h(3), {
        drug: 'methylprednisolone',
        givenAt: h(1),
      }),
    );
    expect(episode.context.therapies[0]).toMatchObject({
      startedAt: h(1),
      recordedAt: h(3),
    });
    expect(episode.context.firstGlucocorticoidAt).toBe(h(1));
    // Reassess within 12 h of the pulse, not of its entry.
    expect(episode.context.dues['reassessment']?.dueAt).toBe(h(12));
  });

  it('a time after the recording (beyond the skew), before the opening without a rationale, or beyond the look-back is refused', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    const { futureSkewMinutes, lookBackHours } = recordingRules.time;
    const late = ev('therapy.started', h(1), {
      drug: 'methylprednisolone',
      givenAt: h(1 + (futureSkewMinutes + 1) / 60),
    });
    expect(checkEvent(episode.context, late).reason).toMatch(
      /payload.givenAt .* lies after the time the event was recorded/,
    );
    const within = ev('therapy.started', h(1), {
      drug: 'methylprednisolone',
      givenAt: h(1 + (futureSkewMinutes - 1) / 60),
    });
    expect(episode.can(within)).toBe(true);
    const beforeOpening = ev('therapy.started', h(1), {
      drug: 'methylprednisolone',
      givenAt: h(-10),
    });
    expect(episode.can(beforeOpening)).toBe(false);
    expect(checkEvent(episode.context, beforeOpening)).toMatchObject({
      rationaleWouldAllow: true,
    });
    expect(
      episode.can({
        ...beforeOpening,
        rationale: 'pulse at the referring hospital',
      }),
    ).toBe(true);
    // "Now" typed to the minute just after opening the episode, or a ward
    // clock a few minutes behind the server's: the admission itself, no
    // rationale asked; past the clock skew it is before admission.
    const minutesBefore = (minutes: number) =>
      ev('therapy.started', h(0.5), {
        drug: 'methylprednisolone',
        givenAt: h(-minutes / 60),
      });
    expect(episode.can(minutesBefore(1))).toBe(true);
    expect(episode.can(minutesBefore(futureSkewMinutes))).toBe(true);
    expect(episode.can(minutesBefore(futureSkewMinutes + 1))).toBe(false);
    expect(
      checkEvent(episode.context, minutesBefore(futureSkewMinutes + 1)).reason,
    ).toMatch(
      /^a rationale is required: payload.givenAt lies before the episode opened/,
    );
    const tooEarly = ev(
      'labs.recorded',
      h(1),
      { panel: florid, collectedAt: h(-lookBackHours - 1) },
      drAdams,
      'referral labs',
    );
    expect(checkEvent(episode.context, tooEarly).reason).toMatch(
      /more than 336 h before the episode opened/,
    );
  });

  it('a reassessment on a sample older than the reassessment interval is taken and said, for whoever records it to see [seed.monitoring.1]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    const on = (hoursOld: number) =>
      checkEvent(
        episode.context,
        ev('reassessment.recorded', h(14), {
          panel: florid,
          collectedAt: h(14 - hoursOld),
        }),
      );
    const stale = on(13);
    expect(stale.ok).toBe(true);
    expect(stale.warnings).toEqual([
      expect.stringMatching(
        /^the sample of this reassessment was drawn 13 h before it was recorded .*, longer ago than the 12 h reassessment interval/,
      ),
    ]);
    expect(on(11).warnings).toBeUndefined();
  });

  it("every reassessment recorded is the protocol's clinical one (it clears the one due and sets the next), and its laboratory verdict rests on its own values: the clinical status alone keeps the last verdict, never one made of values already judged [seed.monitoring.1]", () => {
    const inadequate = () => {
      const episode = new Episode(episodeInput(amira, 'suspected'));
      episode
        .send(ev('labs.recorded', h(0.5), { panel: florid }))
        .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
        .send(tick(h(13.5)));
      expect(episode.snapshot.hasTag('overdue')).toBe(true);
      return episode;
    };
    const episode = inadequate();
    const before = episode.context.lastResponse;
    const missing = episode.context.missingMonitoringItems;
    const labsDue = episode.context.dues['labs'];
    const clinical = ev('reassessment.recorded', h(14), {
      panel: { ageDays: 3000 },
      clinicalStatus: 'stable',
    });
    expect(checkEvent(episode.context, clinical).warnings).toEqual([
      'this reassessment records no laboratory value: the laboratory response is not judged again (the last verdict stands), and the laboratory results keep their own due time',
    ]);
    episode.send(clinical);
    // The clinical reassessment is done: no longer overdue, next in 12 h.
    expect(episode.snapshot.hasTag('overdue')).toBe(false);
    expect(episode.context.dues['reassessment']?.dueAt).toBe(h(26));
    // The labs: their due, the last verdict and the panel's items as they were.
    expect(episode.context.lastResponse).toEqual(before);
    expect(episode.context.missingMonitoringItems).toEqual(missing);
    expect(episode.context.dues['labs']).toEqual(labsDue);
    // A verdict standing (here a senior's "inadequate") is not erased by
    // the clinical status alone: escalation stays warranted.
    const judged = inadequate().send(
      ev(
        'reassessment.recorded',
        h(14),
        { panel: florid, clinicalJudgement: 'inadequate' },
        drBaker,
        'still febrile, platelets falling',
      ),
    );
    judged.send(
      ev('reassessment.recorded', h(20), {
        panel: {},
        clinicalStatus: 'improving',
      }),
    );
    expect(judged.context.lastResponse?.verdict).toBe('inadequate');
    expect(judged.context.inadequateResponseRecorded).toBe(true);
  });

  it('a second result for a sample already recorded, with another value, is a correction that states its reason; the same value (in an equivalent unit too) is the same result', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode.send(
      ev('labs.recorded', h(1), {
        panel: { ferritin: { value: 9000, unit: 'ng/mL' } },
        collectedAt: h(0.5),
      }),
    );
    const again = (value: number, unit: string, rationale?: string) =>
      ev(
        'labs.recorded',
        h(2),
        {
          panel: { ferritin: { value, unit } },
          collectedAt: h(0.5),
        },
        drAdams,
        rationale,
      );
    expect(checkEvent(episode.context, again(9000, 'ug/L')).ok).toBe(true);
    const other = checkEvent(episode.context, again(500, 'ng/mL'));
    expect(other.ok).toBe(false);
    expect(other.reason).toMatch(
      /^a rationale is required: Ferritin of the sample of .* was recorded as 9000 ng\/mL, now 500 ng\/mL: a correction of a result states its reason/,
    );
    // A later sample is a new result, whatever its value.
    expect(
      checkEvent(
        episode.context,
        ev('labs.recorded', h(2), {
          panel: { ferritin: { value: 500, unit: 'ng/mL' } },
          collectedAt: h(1.5),
        }),
      ).ok,
    ).toBe(true);
    episode.send(
      again(500, 'ng/mL', 'the first value was typed for another patient'),
    );
    expect(episode.context.labPicture.ferritin).toMatchObject({
      value: { value: 500, unit: 'ng/mL' },
    });
    // From the laboratory's own system, another value is its correction:
    // taken, and said (a feed gives no reason).
    const fromLab = checkEvent(
      episode.context,
      ev('labs.recorded', h(2.5), {
        panel: { ferritin: { value: 700, unit: 'ng/mL' } },
        collectedAt: h(0.5),
        source: {
          system: 'fhir',
          observations: ['identifier:urn:oid:2.999.1|LAB-9'],
        },
      }),
    );
    expect(fromLab.ok).toBe(true);
    expect(fromLab.warnings).toEqual([
      expect.stringMatching(
        /^the laboratory sent another value for a sample already recorded: Ferritin of the sample of .* was recorded as 500 ng\/mL, now 700 ng\/mL/,
      ),
    ]);
    // In a reassessment too.
    expect(
      checkEvent(
        episode.context,
        ev('reassessment.recorded', h(3), {
          panel: { ferritin: { value: 30000, unit: 'ng/mL' } },
          collectedAt: h(0.5),
        }),
      ).ok,
    ).toBe(false);
  });

  it('a correction of the pre-treatment sample corrects the response baseline: a mistyped ferritin never makes the later ones look like a response', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    expect(episode.context.treatmentBaseline?.panel.ferritin).toEqual(
      florid.ferritin,
    );
    episode.send(
      ev(
        'labs.recorded',
        h(2),
        {
          panel: { ferritin: { value: 90_000, unit: 'ng/mL' } },
          collectedAt: h(0.5),
        },
        drAdams,
        'typed for another patient',
      ),
    );
    expect(episode.context.treatmentBaseline?.panel.ferritin).toEqual({
      value: 90_000,
      unit: 'ng/mL',
    });
    // The rest of the baseline as it was.
    expect(episode.context.treatmentBaseline?.panel.platelets).toEqual(
      florid.platelets,
    );
  });

  it('a send-out result arriving days after its sample neither meets a labs due set since nor moves it back; a new sample does [seed.monitoring.1]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    const due = episode.context.dues['labs'];
    expect(due?.dueAt).toBe(h(25));
    episode.send(tick(h(25.5)));
    expect(episode.alertIds()).toContain('labs-overdue');
    // sCD25 of a sample drawn before the pulse, resulted at h(30).
    episode.send(
      ev('labs.recorded', h(30), {
        panel: { sCD25: { value: 4000, unit: 'U/mL' } },
        collectedAt: h(0.75),
      }),
    );
    expect(episode.context.dues['labs']?.dueAt).toBe(h(25));
    expect(episode.alertIds()).toContain('labs-overdue');
    // A sample of today meets it, and sets the next from its own time.
    episode.send(
      ev('labs.recorded', h(31), { panel: florid, collectedAt: h(30.5) }),
    );
    expect(episode.context.dues['labs']?.dueAt).toBe(h(54.5));
    expect(episode.alertIds()).not.toContain('labs-overdue');
  });

  it('a sample drawn earlier but entered later never replaces a later one in the picture', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    const better = panelOf(improved(floridMas), febrileSjia);
    episode
      .send(ev('labs.recorded', h(6), { panel: better }))
      .send(ev('labs.recorded', h(9), { panel: florid, collectedAt: h(2) }));
    expect(episode.context.labPicture.ferritin).toMatchObject({
      collectedAt: h(6),
      value: better.ferritin,
    });
  });
});

describe('other therapies', () => {
  it('a drug outside the protocol is recorded with its code and never steers the stages; a protocol drug cannot be recorded as other', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    const before = episode.snapshot.value;
    episode.send(
      ev('other-therapy.started', h(1), {
        recordId: 'ivig-1',
        medication: {
          system: 'http://www.whocc.no/atc',
          code: 'J06BA02',
          display: 'immunoglobulin, normal human (IVIG)',
        },
        dose: { value: 24, unit: 'g' },
        route: 'iv',
        schedule: { kind: 'once' },
        givenAt: h(1),
      }),
    );
    expect(episode.snapshot.value).toEqual(before);
    expect(episode.context.otherTherapies[0]).toMatchObject({
      recordId: 'ivig-1',
      glucocorticoidTaper: false,
    });
    for (const medication of [
      {
        system: 'http://www.whocc.no/atc',
        code: 'H02AB04',
        display: 'Solu-Medrol',
      },
      {
        system: 'http://www.whocc.no/atc',
        code: 'X',
        display: 'Anakinra (Kineret)',
      },
      // A brand name alone, under a code the table does not list, is still
      // the protocol's drug: Gamifant would otherwise skip the four eyes.
      { system: 'http://snomed.info/sct', code: '1', display: 'Gamifant®' },
      {
        system: 'http://www.nlm.nih.gov/research/umls/rxnorm',
        code: '2',
        display: 'SOLU MEDROL 1 g powder',
      },
      { system: 'http://snomed.info/sct', code: '3', display: 'Ruxience' },
      // The names other wards write, accents and all.
      { system: 'http://snomed.info/sct', code: '4', display: 'Etopósido' },
      {
        system: 'http://snomed.info/sct',
        code: '5',
        display: 'Methylprednisolon 1 g',
      },
      { system: 'http://snomed.info/sct', code: '6', display: 'VP-16' },
      // The abbreviations wards write.
      { system: 'http://snomed.info/sct', code: '7', display: 'CsA' },
      { system: 'http://snomed.info/sct', code: '8', display: 'MP pulse' },
      { system: 'http://snomed.info/sct', code: '9', display: 'dexa 10 mg' },
      { system: 'http://snomed.info/sct', code: '10', display: 'IVMP' },
      // A Cyrillic "а" and "е", and full-width letters, read as they show.
      {
        system: 'http://snomed.info/sct',
        code: '11',
        display: 'anakinr\u0430',
      },
      {
        system: 'http://snomed.info/sct',
        code: '12',
        display: 'dexam\u0435thasone',
      },
      {
        system: 'http://snomed.info/sct',
        code: '13',
        display: '\uff25\uff54\uff4f\uff50\uff4f\uff53\uff49\uff44\uff45',
      },
      // Brands of other countries, and the development codes of trials.
      ...[
        'Vépéside',
        'Etopos',
        'Lastet',
        'Solu-Medrone 1 g',
        'Metypred',
        'A-Methapred',
        'Cicloral',
        'Deximune',
        'Capimune',
        'NI-0501',
        'INCB018424',
        'LY3009104',
      ].map((display, index) => ({
        system: 'http://www.nlm.nih.gov/research/umls/rxnorm' as const,
        code: String(100 + index),
        display,
      })),
    ] as const) {
      expect(
        episode.refusal(
          ev('other-therapy.started', h(2), {
            recordId: 'x',
            medication,
            dose: { value: 100, unit: 'mg' },
            route: 'iv',
            schedule: { kind: 'once' },
            givenAt: h(2),
          }),
        ),
      ).toMatch(/is in the protocol's table: record it as therapy.started/);
    }
    // By its ATC code alone, the refusal names the drug (the code as the
    // WHO index writes it is the contract's to ask).
    expect(
      episode.refusal(
        ev('other-therapy.started', h(2), {
          recordId: 'z',
          medication: {
            system: 'http://www.whocc.no/atc',
            code: 'L01CB01',
            display: 'cytostatic',
          },
          dose: { value: 100, unit: 'mg' },
          route: 'iv',
          schedule: { kind: 'once' },
          givenAt: h(2),
        }),
      ),
    ).toMatch(/^etoposide \(L01CB01\) is in the protocol's table/);
    // What only looks like an abbreviation is another drug: 6-MP
    // (mercaptopurine) and dexmedetomidine ("dex") are recorded as such.
    for (const display of ['6-MP 50 mg', 'dex infusion', 'Dexmedetomidine']) {
      expect(
        episode.refusal(
          ev('other-therapy.started', h(2), {
            recordId: 'y',
            medication: {
              system: 'http://snomed.info/sct',
              code: '99',
              display,
            },
            dose: { value: 50, unit: 'mg' },
            route: 'oral',
            schedule: { kind: 'once' },
            givenAt: h(2),
          }),
        ),
      ).toBeUndefined();
    }
  });

  it('in remission, the oral prednisolone taper recorded as another therapy is the taper the protocol tracks [seed.monitoring.3]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(
        ev('reassessment.recorded', h(50), {
          panel: panelOf(improved(floridMas), febrileSjia),
        }),
      );
    expect(episode.context.lastResponse?.verdict).toBe('responding');
    episode.send(ev('remission.recorded', h(51), {}));
    episode.send(
      ev('other-therapy.started', h(52), {
        recordId: 'pred-taper',
        medication: prednisolone,
        dose: { value: 24, unit: 'mg' },
        route: 'oral',
        schedule: { kind: 'daily' },
        givenAt: h(52),
      }),
    );
    expect(episode.hasTag('taper')).toBe(true);
    expect(episode.context.otherTherapies[0]?.glucocorticoidTaper).toBe(true);
  });

  it('a senior may judge a response inadequate on clinical grounds with a rationale; a clinician may not', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    const judged = (actor = drBaker, rationale?: string) =>
      ev(
        'reassessment.recorded',
        h(12),
        {
          panel: panelOf(improved(floridMas), febrileSjia),
          clinicalJudgement: 'inadequate',
        },
        actor,
        rationale,
      );
    expect(episode.refusal(judged(drAdams, 'x'))).toMatch(
      /judged inadequate on clinical grounds by a senior clinician/,
    );
    expect(episode.can(judged())).toBe(false);
    episode.send(judged(drBaker, 'fever and encephalopathy despite the pulse'));
    expect(episode.context.lastResponse).toMatchObject({
      verdict: 'inadequate',
      clinicalJudgement: { by: drBaker },
    });
    expect(episode.context.lastResponse?.reasons[0]).toMatch(
      /judged inadequate on clinical grounds by dr-baker: fever and encephalopathy/,
    );
    expect(episode.context.inadequateResponseRecorded).toBe(true);
  });
});
