import { describe, expect, it } from '@jest/globals';

import { eventLabels, type EventWords } from './clinical-labels.constant.js';
import {
  alertLabel,
  clinicalUnits,
  escalationDecisionLabel,
  eventGroup,
  eventLabel,
  eventLabelOf,
  stateLabel,
  subjectLabel,
  unitLabel,
} from './clinical-labels.js';

describe('clinical words for ids', () => {
  it('words an event with its drug, kind or topic in place', () => {
    expect(eventLabel('therapy.started', 'ciclosporin')).toBe(
      'Start ciclosporin',
    );
    expect(eventLabel('therapy.started', 'etoposide')).toBe(
      'Start low-dose etoposide',
    );
    expect(eventLabel('screening.recorded', 'tb-screening')).toBe(
      'Record tuberculosis screening',
    );
    expect(eventLabel('escalation.requested', 'emapalumab')).toBe(
      'Request escalation to emapalumab',
    );
    // A free text (a medication's name) is its own word.
    expect(eventLabel('other-therapy.stopped', 'prednisolone')).toBe(
      'Stop prednisolone',
    );
  });

  it('words the special form of an event apart, and drops a missing subject cleanly', () => {
    expect(eventLabel('therapy.started', 'emapalumab', 'emergency')).toBe(
      'Emergency start of emapalumab (countersignature follows)',
    );
    expect(eventLabel('diagnosis.confirmed', undefined, 'clinical')).toBe(
      'Confirm MAS on clinical grounds',
    );
    expect(eventLabel('escalation.approved')).toBe('Approve an escalation');
    expect(eventLabel('therapy.started')).toBe('Start a therapy');
    expect(eventLabel('other-therapy.started')).toBe(
      'Start another medication',
    );
    // An unknown qualifier falls back to the event's own words.
    expect(eventLabel('diagnosis.confirmed', undefined, 'guess')).toBe(
      'Confirm MAS',
    );
  });

  it('reads the subject and form from a recorded payload', () => {
    expect(
      eventLabelOf('therapy.started', { drug: 'ruxolitinib', emergency: true }),
    ).toBe(
      'Emergency start of ruxolitinib (JAK inhibitor) (countersignature follows)',
    );
    expect(eventLabelOf('support.started', { kind: 'ventilation' })).toBe(
      'Start mechanical ventilation',
    );
    expect(
      eventLabelOf('profile.adopted', {
        profile: { profileId: 'example-institution', version: '1.1.0' },
        hash: 'sha256:0',
      }),
    ).toBe('Adopt the institution profile example-institution 1.1.0');
    // A correction names the entry it marks entered in error.
    expect(
      eventLabelOf('entry.voided', { seq: 7, type: 'labs.recorded' }),
    ).toBe('Mark entry #7 entered in error');
    expect(eventLabelOf('entry.voided', {})).toBe(
      'Mark an entry entered in error',
    );
    expect(eventLabelOf('trigger.identified', { trigger: 'ebv' })).toBe(
      'Record a trigger: EBV infection',
    );
    expect(
      eventLabelOf('other-therapy.started', {
        medication: { display: 'prednisolone' },
      }),
    ).toBe('Start another medication (prednisolone)');
    expect(eventLabelOf('diagnosis.confirmed', { basis: 'criteria' })).toBe(
      'Confirm MAS on the classification criteria',
    );
    expect(eventLabelOf('labs.recorded', null)).toBe(
      'Record laboratory results',
    );
  });

  it('has a general wording for every event whose label names a subject', () => {
    const missing = Object.entries(eventLabels)
      .filter(
        ([, words]: [string, EventWords]) =>
          words.label.includes('{subject}') && words.general === undefined,
      )
      .map(([type]) => type);
    expect(missing).toEqual([]);
  });

  it('groups events by task', () => {
    expect(eventGroup('labs.recorded')).toBe('monitor');
    expect(eventGroup('therapy.started', 'emergency')).toBe('escalate');
    expect(eventGroup('support.started')).toBe('support');
    expect(eventGroup('no.such-event')).toBe('course');
  });

  it('words states, alerts and subjects; an unknown id stays itself', () => {
    expect(stateLabel('masEpisode.open.treatment.active.refractory')).toBe(
      'Refractory therapy',
    );
    expect(alertLabel('countersignature-overdue')).toBe(
      'Countersignature overdue',
    );
    expect(subjectLabel('renal-replacement')).toBe('renal replacement therapy');
    expect(stateLabel('masEpisode.nowhere')).toBe('masEpisode.nowhere');
  });

  it("words the escalation report's decisions, a screening's kind in place; an unknown one stays itself", () => {
    expect(escalationDecisionLabel('dose-outside-range-confirmed')).toBe(
      'Dose outside its range, confirmed',
    );
    expect(escalationDecisionLabel('countersigned')).toBe(
      'Emergency start countersigned',
    );
    expect(escalationDecisionLabel('screening-overridden: tb-screening')).toBe(
      'Screening overridden: tuberculosis screening',
    );
    expect(escalationDecisionLabel('something-new')).toBe('something-new');
  });

  it('writes units as clinicians do, never as UCUM codes', () => {
    expect(unitLabel('10*9/L')).toBe('×10⁹/L');
    expect(unitLabel('10*3/uL')).toBe('×10³/µL');
    expect(unitLabel('umol/L')).toBe('µmol/L');
    expect(unitLabel('ug/L')).toBe('µg/L');
    expect(unitLabel('Cel')).toBe('°C');
    expect(unitLabel('mg/m2')).toBe('mg/m²');
    expect(unitLabel('/uL')).toBe('/µL');
    expect(unitLabel('1')).toBe('');
    expect(unitLabel('mg/dL')).toBe('mg/dL');
    expect(clinicalUnits('Platelets <= 181 10*9/L')).toBe(
      'Platelets <= 181 ×10⁹/L',
    );
  });
});
