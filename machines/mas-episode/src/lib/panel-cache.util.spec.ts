import { describe, expect, it } from '@jest/globals';

import { assessResponseCourse, type LabPanelInput } from '@mas/protocol';

import { exampleProfile } from '../spec-support/episode.spec-support.js';
import { courseResponseOf } from './panel-cache.util.js';

const profile = exampleProfile();
const START = '2026-03-01T08:00:00.000Z';
const at = (hours: number) =>
  new Date(Date.parse(START) + hours * 3_600_000).toISOString();
const panel = (ferritin: number, platelets: number): LabPanelInput => ({
  ferritin: { value: ferritin, unit: 'ng/mL' },
  platelets: { value: platelets, unit: '10*9/L' },
});

describe('courseResponseOf: the memoised response over the course', () => {
  it('gives what assessResponseCourse gives, for a panel asked about once, again, with other inputs and with the first ones again', () => {
    const current = { at: at(72), panel: panel(5000, 120) };
    const baseline = { at: at(-2), panel: panel(10_000, 60) };
    const first = {
      baseline,
      current,
      therapyStartedAt: START,
      profile,
    };
    const withPrevious = {
      ...first,
      previous: { at: at(36), panel: panel(9000, 70) },
    };
    const otherBaseline = {
      ...first,
      baseline: { at: at(-2), panel: panel(4000, 200) },
    };
    const asked = [first, withPrevious, otherBaseline, first, withPrevious];
    const memoised = asked.map((input) => courseResponseOf(input));
    const plain = asked.map((input) => assessResponseCourse(input));
    expect(memoised).toEqual(plain);
    // The inputs differ, so do the answers (the cache keeps them apart).
    expect(memoised[2]?.verdict).not.toBe(memoised[0]?.verdict);
    // The same input gives the same object back.
    expect(memoised[3]).toBe(memoised[0]);
    expect(memoised[4]).toBe(memoised[1]);
  });
});
