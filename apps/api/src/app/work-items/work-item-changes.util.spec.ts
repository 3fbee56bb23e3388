import { describe, expect, it } from '@jest/globals';
import { initialTransition } from 'xstate';

import { type EpisodeActor, parseEpisodeEvent } from '@mas/contracts';
import {
  type EpisodeSnapshot,
  masEpisodeMachine,
  standardPrescription,
  stepEpisode,
} from '@mas/mas-episode';
import type { DrugId } from '@mas/protocol';
import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import { exampleProfile } from '../../spec-support/api.spec-support.js';
import {
  type AcceptedStep,
  workItemChanges,
} from './work-item-changes.util.js';

const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
const adams: EpisodeActor = { id: 'dr-adams', role: 'clinician' };
const baker: EpisodeActor = { id: 'dr-baker', role: 'senior-clinician' };
const chen: EpisodeActor = { id: 'dr-chen', role: 'senior-clinician' };

/** A complete therapy record: the standard prescription, given at `hours`. */
const therapy = (drug: DrugId, hours: number, extra: object = {}) => ({
  drug,
  ...standardPrescription(drug, amira, exampleProfile),
  givenAt: at(hours),
  ...extra,
});

/** A panel drawn at `hours`. */
const labs = (hours: number) => ({
  panel: panelOf(floridMas, febrileSjia),
  collectedAt: at(hours),
});

/** An episode driven event by event, keeping each accepted step. */
function course() {
  let [snapshot] = initialTransition(masEpisodeMachine, {
    episodeId: 'episode-1',
    patient: amira,
    openedAt: at(0),
    initialStage: 'suspected',
    profile: exampleProfile,
  }) as [EpisodeSnapshot, unknown];
  let seq = 0;
  return (
    hours: number,
    actor: EpisodeActor,
    type: string,
    payload: unknown,
    rationale?: string,
  ): AcceptedStep => {
    const event = parseEpisodeEvent(
      {
        type,
        at: at(hours),
        actor,
        payload,
        ...(rationale === undefined ? {} : { rationale }),
      },
      'event',
    );
    const before = snapshot;
    const [after, effects] = stepEpisode(before, event);
    expect(after).not.toBe(before);
    snapshot = after;
    seq += 1;
    return {
      episode: { id: 'episode-1', kind: 'real', patientIdentifier: 'P-1' },
      seq,
      event,
      before,
      after,
      effects,
      recordedAt: new Date(at(hours)),
    };
  };
}

describe('workItemChanges', () => {
  it('is null for an event that neither asks for nor closes anything (no statement on the write path)', () => {
    const step = course();
    expect(
      workItemChanges(step(0.5, adams, 'labs.recorded', labs(0.5))),
    ).toBeNull();
  });

  it('opens a countersignature per emergency start and closes the one countersigned (the oldest of that drug)', () => {
    const step = course();
    step(0.5, adams, 'labs.recorded', labs(0.5));
    step(1, adams, 'therapy.started', therapy('methylprednisolone', 1));
    step(1.5, adams, 'severity.assessed', {
      severe: true,
      rapidlyWorsening: true,
    });
    const starts = [2, 3].map((hours) => {
      // Started, stopped and started again: two starts await countersigning.
      if (hours > 2)
        step(hours - 0.5, baker, 'therapy.stopped', { drug: 'ruxolitinib' });
      const changes = workItemChanges(
        step(
          hours,
          baker,
          'therapy.started',
          therapy('ruxolitinib', hours, { emergency: true }),
          'no time to wait',
        ),
      );
      const item = changes?.opened.find((i) => i.kind === 'countersignature');
      expect(item).toMatchObject({
        requestedBy: 'dr-baker',
        createdAt: new Date(at(hours)),
        status: 'open',
      });
      return item;
    });
    expect(starts.map((s) => s?.subject)).toEqual([
      'ruxolitinib-1',
      'ruxolitinib-2',
    ]);
    const signed = workItemChanges(
      step(4, chen, 'escalation.countersigned', { drug: 'ruxolitinib' }),
    );
    expect(signed?.opened).toEqual([]);
    expect(signed?.closed).toEqual([
      {
        kind: 'countersignature',
        subject: 'ruxolitinib-1',
        doneAt: new Date(at(4)),
        doneBy: 'dr-chen',
        resolution: 'countersigned',
        closedSeq: 7,
      },
    ]);
  });

  it("an alert that stands but says something else: its item superseded before the new one opens, so the work list never keeps the old words; a graver one is the machine's notification", () => {
    const step = course();
    step(0.5, adams, 'labs.recorded', labs(0.5));
    step(
      1,
      adams,
      'therapy.started',
      therapy('methylprednisolone', 1, {
        dose: { value: 900, unit: 'mg' },
        doseConfirmation: 'pharmacy agreed',
      }),
    );
    const weighed = (hours: number, weightKg: number) =>
      workItemChanges(
        step(hours, adams, 'measures.recorded', {
          weightKg,
          confirmUnusual: ['weightKg'],
        }),
      );
    const raised = weighed(2, 16);
    expect(raised?.superseded).toEqual([]);
    expect(raised?.opened.map((item) => item.subject)).toContain(
      'dose-outside-limits-now',
    );
    // 12 kg: the same warning, its words now another weight.
    const reworded = weighed(3, 12);
    expect(reworded?.superseded).toEqual([
      {
        kind: 'alert',
        subject: 'dose-outside-limits-now',
        doneAt: new Date(at(3)),
        doneBy: 'dr-adams',
        resolution: 'superseded',
        closedSeq: 4,
      },
    ]);
    const [item] = reworded?.opened ?? [];
    expect(reworded?.opened).toHaveLength(1);
    expect(JSON.parse(item?.details ?? '{}')).toMatchObject({
      alertId: 'dose-outside-limits-now',
      severity: 'warning',
      message: expect.stringContaining('at the current weight of 12 kg'),
    });
    // 5 kg: critical. One new item (the notification's), not two.
    const graver = weighed(4, 5);
    expect(graver?.superseded.map((c) => c.subject)).toEqual([
      'dose-outside-limits-now',
    ]);
    expect(
      graver?.opened.map((i) => [
        i.subject,
        (JSON.parse(i.details) as { severity: string }).severity,
      ]),
    ).toEqual([['dose-outside-limits-now', 'critical']]);
  });

  it('an ending event closes every open item of the episode', () => {
    const step = course();
    const ended = workItemChanges(step(1, adams, 'death.recorded', {}));
    expect(ended?.closed).toContainEqual(
      expect.objectContaining({
        kind: null,
        subject: null,
        resolution: 'episode-ended',
      }),
    );
  });
});
