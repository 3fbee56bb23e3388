/**
 * Deliberate bugs, each planted in a copy of the machine by `provide()` (a
 * guard or the `apply` action replaced), each naming the property that must
 * catch it and the slices where it can. `npm test` fails if one survives: a
 * checker that passes a machine with one of these bugs proves less than it
 * says. The first fifteen are the bugs an independent audit planted; the
 * rest guard the rules the audit found unguarded.
 */
import { assign } from 'xstate';

import { type EpisodeEvent, organSupportKinds } from '@mas/contracts';

import {
  activeTherapies,
  checkEvent,
  ok,
  therapyClassOf,
} from '../lib/mas-episode.checks.js';
import { masEpisodeMachine } from '../lib/mas-episode.machine.js';
import { applyEvent } from '../lib/mas-episode.reducer.js';
import type { Alert, Check, EpisodeContext } from '../lib/mas-episode.types.js';
import { doseOutsideNow, scheduleEndsAt } from '../lib/therapy-record.util.js';
import { rangeTopMg } from './protocol-facts.js';

export interface Mutant {
  readonly id: string;
  /** The bug, in words. */
  readonly bug: string;
  /** The property that must fail on this mutant. */
  readonly caughtBy: string;
  /** Slices (by name) where the property can see the bug. */
  readonly slices: readonly string[];
  /** The bug shows from the opening of an episode (no event leads to it). */
  readonly atOpening?: boolean;
  readonly machine: () => typeof masEpisodeMachine;
}

type CheckMutation = (
  context: EpisodeContext,
  event: EpisodeEvent,
  check: Check,
) => Check;

/** The machine with its clinical checks changed by `mutate`. */
function withChecks(mutate: CheckMutation): typeof masEpisodeMachine {
  const mutated = (context: EpisodeContext, event: EpisodeEvent) =>
    mutate(context, event, checkEvent(context, event));
  return masEpisodeMachine.provide({
    guards: {
      isAllowed: ({ context, event }) => mutated(context, event).ok,
      isTherapyStartOfClass: ({ context, event }, params) =>
        event.type === 'therapy.started' &&
        therapyClassOf(event.payload.drug) === params.therapyClass &&
        mutated(context, event).ok,
    },
  });
}

/** The machine with the context after each event changed by `mutate`. */
function withContext(
  mutate: (next: EpisodeContext, event: EpisodeEvent) => EpisodeContext,
): typeof masEpisodeMachine {
  return masEpisodeMachine.provide({
    actions: {
      apply: assign(({ context, event }) =>
        mutate(
          applyEvent(context as EpisodeContext, event as EpisodeEvent),
          event as EpisodeEvent,
        ),
      ) as never,
    },
  });
}

/** The machine with the alerts after each event filtered by `keep`. */
const withAlerts = (keep: (alert: Alert, context: EpisodeContext) => boolean) =>
  withContext((next) => ({
    ...next,
    alerts: next.alerts.filter((alert) => keep(alert, next)),
  }));

const isStart = (event: EpisodeEvent, therapyClass: string) =>
  event.type === 'therapy.started' &&
  therapyClassOf(event.payload.drug) === therapyClass;

const allowIf =
  (
    when: (
      context: EpisodeContext,
      event: EpisodeEvent,
      check: Check,
    ) => boolean,
  ): CheckMutation =>
  (context, event, check) =>
    !check.ok && when(context, event, check) ? ok('mutant: allowed') : check;

const refuseIf =
  (
    when: (context: EpisodeContext, event: EpisodeEvent) => boolean,
  ): CheckMutation =>
  (context, event, check) =>
    when(context, event)
      ? { ok: false, reason: 'mutant: refused', evidence: [] }
      : check;

const reason = (check: Check, text: RegExp) => text.test(check.reason);

const emapalumab = 'refractory, four eyes: emapalumab';
const ruxolitinib = 'refractory, four eyes: ruxolitinib';
const otherRefractory = 'refractory, roles: other drugs';
const records = 'records: doses and the clock';

export const episodeMutants: readonly Mutant[] = [
  {
    id: 'M01-countersignature-alert-removed',
    bug: 'the countersignature-overdue alert is never raised',
    caughtBy: 'P2b',
    slices: [emapalumab],
    machine: () =>
      withAlerts((alert) => alert.id !== 'countersignature-overdue'),
  },
  {
    id: 'M02-self-approval',
    bug: 'a senior may approve their own request',
    caughtBy: 'P2e',
    slices: [emapalumab],
    machine: () =>
      withChecks(allowIf((_, __, check) => reason(check, /made this request/))),
  },
  {
    id: 'M03-repeat-pulse-blocked',
    bug: 'a repeat glucocorticoid pulse is refused while the drug is active',
    caughtBy: 'P7',
    slices: ['timeline'],
    machine: () =>
      withChecks(
        refuseIf(
          (context, event) =>
            isStart(event, 'glucocorticoid') &&
            event.type === 'therapy.started' &&
            context.therapies.some(
              (t) => t.drug === event.payload.drug && !t.stoppedAt,
            ),
        ),
      ),
  },
  {
    id: 'M04-methylprednisolone-on-hold',
    bug: 'methylprednisolone is refused while the episode is on hold',
    caughtBy: 'P7',
    slices: ['timeline'],
    machine: () =>
      withChecks(
        refuseIf(
          (context, event) =>
            context.hold !== null &&
            event.type === 'therapy.started' &&
            event.payload.drug === 'methylprednisolone',
        ),
      ),
  },
  {
    id: 'M05-emergency-overrides-rejection',
    bug: 'an emergency start is allowed after the request was rejected',
    caughtBy: 'P2c',
    slices: [emapalumab],
    machine: () =>
      withChecks(allowIf((_, __, check) => reason(check, /was rejected by/))),
  },
  {
    id: 'M05b-new-request-lifts-rejection',
    bug: 'a new request for a rejected drug lifts the rejection: an emergency start is allowed while it is pending',
    caughtBy: 'P2c',
    slices: [emapalumab],
    machine: () =>
      withChecks(
        allowIf(
          (context, event, check) =>
            reason(check, /was rejected by/) &&
            event.type === 'therapy.started' &&
            context.escalationRequests.findLast(
              (r) => r.drug === event.payload.drug,
            )?.status === 'pending',
        ),
      ),
  },
  {
    id: 'M06-starter-countersigns',
    bug: 'the senior who made an emergency start may countersign it',
    caughtBy: 'P2d',
    slices: [ruxolitinib],
    machine: () =>
      withChecks(
        allowIf((_, __, check) => reason(check, /started it and cannot/)),
      ),
  },
  {
    id: 'M07-clinician-approves',
    bug: 'a clinician (not a senior) may approve a refractory request',
    caughtBy: 'P2e',
    slices: [ruxolitinib],
    machine: () =>
      withChecks(
        allowIf(
          (_, event, check) =>
            event.type === 'escalation.approved' &&
            reason(
              check,
              /only a senior clinician may approve|is recorded by a senior clinician, not by the clinician role/,
            ),
        ),
      ),
  },
  {
    id: 'M08-clinician-emergency-start',
    bug: 'a clinician (not a senior) may start refractory therapy as an emergency',
    caughtBy: 'P2e',
    slices: [otherRefractory],
    machine: () =>
      withChecks(
        allowIf((_, __, check) =>
          reason(
            check,
            /emergency start of refractory therapy must be made by a senior/,
          ),
        ),
      ),
  },
  {
    id: 'M09-nurse-starts-refractory',
    bug: 'a nurse may start refractory therapy',
    caughtBy: 'P2e',
    slices: [otherRefractory],
    machine: () =>
      withChecks(
        allowIf(
          (_, event, check) =>
            isStart(event, 'refractory') &&
            reason(
              check,
              /is started by a clinician, not by|is recorded by a clinician or senior clinician, not by the nurse role/,
            ),
        ),
      ),
  },
  {
    id: 'M10-refractory-without-inadequate-response',
    bug: 'refractory therapy is allowed without an inadequate response or worsening',
    caughtBy: 'P2',
    slices: [ruxolitinib],
    machine: () =>
      withChecks(
        allowIf(
          (_, event, check) =>
            isStart(event, 'refractory') &&
            reason(check, /needs a recorded inadequate response/),
        ),
      ),
  },
  {
    id: 'M11-rituximab-without-ebv',
    bug: 'rituximab is allowed without the EBV trigger',
    caughtBy: 'P3',
    slices: ['EBV and rituximab'],
    machine: () =>
      withChecks(
        allowIf((_, __, check) => reason(check, /record the EBV trigger/)),
      ),
  },
  {
    id: 'M12-emapalumab-without-screenings',
    bug: 'emapalumab is allowed without TB screening and prophylaxis',
    caughtBy: 'P9',
    slices: [emapalumab],
    machine: () =>
      withChecks(
        allowIf(
          (context, event, check) =>
            reason(check, /recorded or overridden with a rationale first/) &&
            event.type === 'therapy.started' &&
            // Only the screenings are skipped; the rest of the check stands.
            checkEvent(
              {
                ...context,
                screenings: {
                  'tb-screening': screened,
                  'zoster-prophylaxis': screened,
                  'pjp-prophylaxis': screened,
                  'fungal-prophylaxis': screened,
                },
              },
              event,
            ).ok,
        ),
      ),
  },
  {
    id: 'M13-haemorrhage-not-a-severity-sign',
    bug: 'haemorrhage alone does not raise "severity underestimated"',
    caughtBy: 'P8',
    slices: ['diagnosis'],
    machine: () =>
      withAlerts(
        (alert, context) =>
          alert.id !== 'severity-underestimated' ||
          context.cnsInvolvement ||
          context.support.some((kind) => organSupportKinds.includes(kind)),
      ),
  },
  {
    id: 'M14-infection-alert-sticks',
    bug: 'the infection alert stays after antimicrobials start',
    caughtBy: 'P4',
    slices: ['infection'],
    machine: () =>
      withContext((next) =>
        next.triggers.infection &&
        !next.alerts.some((a) => a.id === 'infection-without-antimicrobials')
          ? {
              ...next,
              alerts: [
                ...next.alerts,
                {
                  id: 'infection-without-antimicrobials',
                  severity: 'critical',
                  message: 'mutant',
                  evidence: [],
                  since: next.now,
                },
              ],
            }
          : next,
      ),
  },
  {
    id: 'M15-cns-alert-removed',
    bug: 'CNS involvement without dexamethasone is not alerted',
    caughtBy: 'P5',
    slices: ['CNS and severity, on hold'],
    machine: () =>
      withAlerts((alert) => alert.id !== 'cns-without-dexamethasone'),
  },
  {
    id: 'M16-second-line-first-without-rationale',
    bug: 'second-line therapy before any glucocorticoid is allowed without a rationale',
    caughtBy: 'P1',
    slices: ['second line: anakinra'],
    machine: () =>
      withChecks(
        allowIf(
          (_, event, check) =>
            isStart(event, 'second-line') &&
            reason(check, /before any glucocorticoid/),
        ),
      ),
  },
  {
    id: 'M17-second-line-first-alert-removed',
    bug: 'second-line therapy before a glucocorticoid is not alerted',
    caughtBy: 'P1',
    slices: ['second line: ciclosporin'],
    machine: () =>
      withAlerts((alert) => alert.id !== 'second-line-before-glucocorticoid'),
  },
  {
    id: 'M18-overdue-silenced-on-hold',
    bug: 'an overdue reassessment is not flagged while the episode is on hold',
    caughtBy: 'P6',
    slices: ['timeline'],
    machine: () =>
      withAlerts(
        (alert, context) =>
          alert.id !== 'reassessment-overdue' || context.hold === null,
      ),
  },
  {
    id: 'M19-remission-blocked-after-relapse',
    bug: 'remission cannot be recorded again after a relapse',
    caughtBy: 'P10a',
    slices: ['timeline'],
    machine: () =>
      withChecks(
        refuseIf(
          (context, event) =>
            event.type === 'remission.recorded' && context.relapses > 0,
        ),
      ),
  },
  {
    id: 'M20-no-relapse-from-taper',
    bug: 'a relapse cannot be recorded during the taper',
    caughtBy: 'P10b',
    slices: ['timeline'],
    machine: () =>
      withChecks(
        refuseIf(
          (context, event) =>
            event.type === 'relapse.recorded' && context.inRemission,
        ),
      ),
  },
  {
    id: 'M21-severe-does-not-clear',
    bug: 'marking the episode severe does not clear "severity underestimated"',
    caughtBy: 'P8',
    slices: ['diagnosis'],
    machine: () =>
      withContext((next) =>
        next.severe &&
        (next.cnsInvolvement || next.hemorrhage) &&
        !next.alerts.some((a) => a.id === 'severity-underestimated')
          ? {
              ...next,
              alerts: [
                ...next.alerts,
                {
                  id: 'severity-underestimated',
                  severity: 'critical',
                  message: 'mutant',
                  evidence: [],
                  since: next.now,
                },
              ],
            }
          : next,
      ),
  },
  {
    id: 'M22-countersignature-due-under-drug',
    bug: 'the countersignature due time is filed under the drug, so it never matches its start and never fires',
    caughtBy: 'P2b',
    slices: [ruxolitinib],
    machine: () =>
      withContext((next) => ({
        ...next,
        dues: Object.fromEntries(
          Object.entries(next.dues).map(([id, due]) => [
            id.replace(
              /^countersignature:([a-z]+)-\d+$/,
              'countersignature:$1',
            ),
            due,
          ]),
        ),
      })),
  },
  {
    id: 'M23-therapy-without-dose',
    bug: 'a therapy record without a dose is accepted',
    caughtBy: 'P11',
    slices: [records],
    machine: () =>
      withChecks(
        allowIf((_, __, check) => reason(check, /a therapy record needs/)),
      ),
  },
  {
    id: 'M24-hard-limit-confirmable',
    bug: 'a dose above a hard limit is accepted once the prescriber confirms it (a tenfold slip recorded)',
    caughtBy: 'P12',
    slices: [records],
    machine: () =>
      withChecks(
        allowIf(
          (_, event, check) =>
            event.type === 'therapy.started' &&
            event.payload.doseConfirmation !== undefined &&
            reason(check, /hard dose limit/),
        ),
      ),
  },
  {
    id: 'M24b-hard-limit-with-tolerance',
    bug: 'the hard limit is applied with the soft tolerance on top (a confirmed dose a little past it is accepted)',
    caughtBy: 'P12',
    slices: [records],
    machine: () =>
      withChecks(
        allowIf(
          (context, event, check) =>
            event.type === 'therapy.started' &&
            event.payload.drug === 'methylprednisolone' &&
            event.payload.doseConfirmation !== undefined &&
            reason(check, /hard dose limit/) &&
            event.payload.dose.value <=
              (context.profileData.doseLimits?.hardFactorAboveSoftMax ?? 0) *
                rangeTopMg({
                  patient: context.patient,
                  profile: {
                    data: context.profileData,
                    hash: context.profile.hash,
                  },
                }) *
                1.1,
        ),
      ),
  },
  {
    id: 'M25-user-moves-the-clock',
    bug: "a user may send the scheduler's clock event",
    caughtBy: 'P13',
    slices: [records],
    machine: () =>
      withChecks(
        allowIf((_, __, check) =>
          reason(check, /the clock is moved by the service scheduler alone/),
        ),
      ),
  },
  {
    id: 'M26-hold-drops-reassessment',
    bug: 'starting a hold clears the reassessment due time',
    caughtBy: 'P14',
    slices: [records],
    machine: () =>
      withContext((next, event) =>
        event.type === 'hold.started'
          ? {
              ...next,
              dues: {
                ...next.dues,
                reassessment: { dueAt: null, pausedAt: null, firedAt: null },
              },
            }
          : next,
      ),
  },
  {
    id: 'M27-stills-not-recognised',
    bug: "a patient with Still's disease is never classed as such (the subtype stays unclassified)",
    caughtBy: 'P15',
    slices: ['diagnosis'],
    atOpening: true,
    machine: () =>
      masEpisodeMachine.provide({
        guards: { isStillsDisease: () => false },
      }),
  },
  {
    id: 'M28-dose-change-unchecked',
    bug: "a running course's new dose skips the dose check (a tenfold slip, one past the hard limit, accepted)",
    caughtBy: 'P12',
    slices: [records],
    machine: () =>
      withChecks(allowIf((_, event) => event.type === 'therapy.dose-changed')),
  },
  {
    id: 'M29-named-stop-ends-every-record',
    bug: 'a stop naming one of two records of a drug ends both (the pulse recorded twice stops whole: the reassessment of a patient still on it is no longer due)',
    caughtBy: 'P6',
    slices: ['records: a course recorded twice'],
    machine: () =>
      withContext((next, event) =>
        event.type === 'therapy.stopped' &&
        event.payload.startedAt !== undefined
          ? {
              ...next,
              therapies: next.therapies.map((t) =>
                t.drug === event.payload.drug && t.stoppedAt === undefined
                  ? { ...t, stoppedAt: next.now }
                  : t,
              ),
            }
          : next,
      ),
  },
  {
    id: 'M30-unnamed-stop-of-two-courses',
    bug: "a stop naming no record is taken while the drug runs as two courses (which of them stops is nobody's decision)",
    caughtBy: 'P16',
    slices: ['records: a course recorded twice'],
    machine: () =>
      withChecks(allowIf((_, __, check) => reason(check, /runs \d+ times/))),
  },
  {
    id: 'M31-running-dose-not-rechecked',
    bug: 'a running dose is never checked again at a new weight (a pulse accepted within the hard limit, past it once the patient weighs less, goes unalerted)',
    caughtBy: 'P17',
    slices: ['records: a new weight'],
    machine: () =>
      withAlerts((alert) => alert.id !== 'dose-outside-limits-now'),
  },
  {
    id: 'M32-running-dose-past-hard-limit-a-warning',
    bug: 'a running dose past the hard limit at a new weight is alerted as a warning only (the ward reads it as a soft excursion)',
    caughtBy: 'P17',
    slices: ['records: a new weight'],
    machine: () =>
      withContext((next) => ({
        ...next,
        alerts: next.alerts.map((alert) =>
          alert.id === 'dose-outside-limits-now'
            ? { ...alert, severity: 'warning' as const }
            : alert,
        ),
      })),
  },
  {
    id: 'M33-ended-pulse-still-reviewed',
    bug: 'a pulse whose last infusion is given is still alerted as outside the limits at a new weight (a critical alarm about a dose nobody will give, asking for a change that would record an infusion too many)',
    caughtBy: 'P17b',
    slices: ['records: a new weight'],
    machine: () =>
      withContext((next) =>
        next.alerts.some((alert) => alert.id === 'dose-outside-limits-now') ||
        !activeTherapies(next).some((t) => doseOutsideNow(next, t) !== null)
          ? next
          : {
              ...next,
              alerts: [
                ...next.alerts,
                {
                  id: 'dose-outside-limits-now',
                  severity: 'critical',
                  message: 'mutant',
                  evidence: [],
                  since: next.now,
                },
              ],
            },
      ),
  },
  {
    id: 'M34-pulse-over-a-day-early',
    bug: 'a pulse is taken as over a day before its last infusion (the alert of a dose past the hard limit clears while that infusion is still to be given)',
    caughtBy: 'P17',
    slices: ['records: a new weight'],
    machine: () =>
      withAlerts(
        (alert, context) =>
          alert.id !== 'dose-outside-limits-now' ||
          activeTherapies(context).some((t) => {
            const end = scheduleEndsAt(t);
            return (
              end === null || Date.parse(context.now) < Date.parse(end) - DAY_MS
            );
          }),
      ),
  },
  {
    id: 'M35-given-overdose-untold',
    bug: 'a pulse over, past the hard limit at a corrected weight, is not told at all (the doses given past the limit go unnoticed)',
    caughtBy: 'P17c',
    slices: ['records: a new weight'],
    machine: () =>
      withAlerts((alert) => alert.id !== 'dose-given-outside-limits-now'),
  },
];

const DAY_MS = 86_400_000;

const screened = {
  result: 'done' as const,
  at: '2026-01-01T00:00:00.000Z',
  by: { id: 'mutant', role: 'clinician' as const },
};
