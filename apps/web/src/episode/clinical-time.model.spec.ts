/**
 * @jest-environment node
 */
import { describe, expect, it } from '@jest/globals';

import { ApiError } from '../api/client.js';
import {
  formatLocal,
  formatTime,
  readableTimes,
} from './clinical-time.model.js';
import { formatSampleTime } from './labs.model.js';

describe("the service's times, as the ward reads them", () => {
  it('every ISO instant inside a text is in the local time with its zone; the rest is kept', () => {
    const due = '2026-12-07T09:02:03.552Z';
    const sample = '2026-12-06T21:02:00+01:00';
    const text = `Clinical reassessment overdue (due ${due}). A panel of ${sample} pointed to MAS.`;
    const read = readableTimes(text);
    // Seconds where there are some (two times of one minute stay apart).
    expect(read).toMatch(/\(due \d+ Dec 2026, \d\d:02:03 \S+\)/);
    expect(read).toContain(`A panel of ${formatLocal(sample)} pointed to MAS.`);
    expect(read).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    // A date alone (a birth date) or a plain number is not a time.
    expect(readableTimes('born 2019-06-30, 12000 ng/mL')).toBe(
      'born 2019-06-30, 12000 ng/mL',
    );
  });

  it("a refusal's words carry readable times and clinical units", () => {
    const error = new ApiError(422, {
      message:
        'a rationale is required: temperature 103 Cel recorded at 2026-12-06T21:00:00.000Z',
    });
    expect(error.message).toContain('103 °C');
    expect(error.message).toContain(formatLocal('2026-12-06T21:00:00.000Z'));
    expect(error.message).not.toMatch(/Cel|T21:00/);
  });
});

describe('one clock on one screen', () => {
  it('every time the page shows is in the local time with its zone (here the process runs in UTC)', () => {
    const iso = '2026-03-01T08:30:00.000Z';
    expect(formatTime(iso)).toBe(formatLocal(iso));
    expect(formatTime(iso)).toBe('1 Mar 2026, 08:30 UTC');
    expect(formatSampleTime(Date.parse(iso))).toBe('2026-03-01 08:30 UTC');
    expect(formatTime('not a time')).toBe('not a time');
  });
});
