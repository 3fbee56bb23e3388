import { describe, expect, it } from '@jest/globals';

import { describeRoles, rolesFor } from './recording-rules.constant.js';

describe('who may record what (recording rules)', () => {
  it('gives the roles of an event type from the table, none for an unknown type', () => {
    expect(rolesFor('therapy.started')).toEqual([
      'clinician',
      'senior-clinician',
    ]);
    expect(rolesFor('therapy.dose-changed')).toEqual(
      rolesFor('therapy.started'),
    );
    expect(rolesFor('clock.ticked')).toEqual(['system']);
    expect(rolesFor('escalation.approved')).toEqual(['senior-clinician']);
    expect(rolesFor('no.such-event')).toEqual([]);
    // A name of the object's prototype is no event type.
    expect(rolesFor('toString')).toEqual([]);
    expect(rolesFor('constructor')).toEqual([]);
  });

  it('says a list of roles in words: one alone, two with "or", more with commas', () => {
    expect(describeRoles([])).toBe('');
    expect(describeRoles(['nurse'])).toBe('nurse');
    expect(describeRoles(['clinician', 'senior-clinician'])).toBe(
      'clinician or senior clinician',
    );
    expect(describeRoles(['clinician', 'senior-clinician', 'nurse'])).toBe(
      'clinician, senior clinician or nurse',
    );
    expect(describeRoles(['system'])).toBe(
      'the service (scheduler or laboratory interface)',
    );
  });
});
