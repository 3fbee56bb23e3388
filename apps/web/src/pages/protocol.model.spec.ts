import { describe, expect, it } from '@jest/globals';

import {
  changeWords,
  citationWords,
  defaultPair,
  type DiffChange,
  diffPath,
  entryFieldsChanged,
  episodeWords,
  formatValue,
  shortHash,
  statusWords,
  type VersionRow,
} from './protocol.model.js';

const version = (number: string, status: VersionRow['status']): VersionRow => ({
  id: 'mas-protocol',
  version: number,
  status,
  hash: `sha256:${'ab'.repeat(32)}`,
  releases: [],
  summary: '',
  current: status === 'deployed',
  episodes: { real: 0, training: 0 },
  migrations: [],
});

const change = (fields: Partial<DiffChange>): DiffChange => ({
  change: 'changed',
  path: [],
  where: '',
  evidence: [],
  ...fields,
});

describe('the Protocol page model', () => {
  it('says what each status means, shortens the hash and counts the episodes by kind', () => {
    expect(statusWords('deployed', true)).toBe(
      'current — new episodes open under it',
    );
    expect(statusWords('deployed')).toBe(
      'deployed — running episodes stay under it',
    );
    expect(statusWords('candidate')).toBe(
      'candidate — drafted for review, not deployed',
    );
    expect(shortHash(`sha256:0123456789abcdef${'0'.repeat(48)}`)).toBe(
      '0123456789ab…',
    );
    expect(episodeWords({ real: 0, training: 0 })).toBe('none');
    expect(episodeWords({ real: 3, training: 0 })).toBe('3 real');
    expect(episodeWords({ real: 0, training: 2 })).toBe('0 real, 2 training');
  });

  it('compares the current version with the newest candidate first (else the newest other deployed version), and asks the service for that pair', () => {
    expect(
      defaultPair([
        version('1.0.0', 'deployed'),
        version('1.10.0', 'candidate'),
        version('1.9.0', 'candidate'),
      ]),
    ).toEqual({ from: '1.0.0', to: '1.10.0' });
    // No candidate: the current version against the newest other deployed one.
    expect(
      defaultPair([
        version('1.0.0', 'deployed'),
        { ...version('1.1.0', 'deployed'), current: false },
      ]),
    ).toEqual({ from: '1.0.0', to: '1.1.0' });
    expect(
      defaultPair([
        { ...version('1.0.0', 'deployed'), current: false },
        version('1.1.0', 'deployed'),
      ]),
    ).toEqual({ from: '1.1.0', to: '1.0.0' });
    expect(defaultPair([version('1.0.0', 'deployed')])).toEqual({
      from: '1.0.0',
      to: '1.0.0',
    });
    expect(defaultPair([])).toBeNull();
    expect(diffPath({ from: '1.0.0', to: '1.1.0' })).toBe(
      '/api/protocol/diff?from=1.0.0&to=1.1.0',
    );
  });

  it('writes thresholds as clinicians do, and other values as words', () => {
    expect(formatValue({ op: '>', value: 684, unit: 'ng/mL' })).toBe(
      '> 684 ng/mL',
    );
    expect(formatValue({ op: '<=', value: 181, unit: '10*9/L' })).toBe(
      '≤ 181 ×10⁹/L',
    );
    expect(formatValue({ op: '>=', value: 2, unit: '1' })).toBe('≥ 2');
    expect(formatValue(6)).toBe('6');
    expect(formatValue(true)).toBe('yes');
    expect(formatValue(null)).toBe('none');
    expect(formatValue(['ferritin', 'ldh'])).toBe('ferritin, ldh');
    expect(
      formatValue({
        defaultMgPerM2: 375,
        maxDoses: 4,
        evidence: ['seed.refractory.4'],
      }),
    ).toBe('default mg per m2: 375; max doses: 4');
    expect(
      formatValue({ threshold: { op: '>', value: 684, unit: 'ng/mL' } }),
    ).toBe('threshold: > 684 ng/mL');
  });

  it('says what a change does: a list item added or removed, a value before → after', () => {
    expect(
      changeWords(
        change({
          change: 'added',
          path: ['monitoring', 'items', '=ldh'],
          after: 'ldh',
        }),
      ),
    ).toBe('added to the list');
    expect(
      changeWords(
        change({ change: 'removed', path: ['monitoring', 'items', '=ldh'] }),
      ),
    ).toBe('removed from the list');
    expect(
      changeWords(
        change({
          path: ['mas2016', 'required', 'anyOf', '#1'],
          before: { op: '>', value: 684, unit: 'ng/mL' },
          after: { op: '>', value: 700, unit: 'ng/mL' },
        }),
      ),
    ).toBe('> 684 ng/mL → > 700 ng/mL');
    expect(
      changeWords(
        change({ change: 'added', path: ['doses', 'x', 'maxDoses'], after: 4 }),
      ),
    ).toBe('added: 4');
  });

  it('cites a source with its tag, and names the fields an evidence entry rewrote', () => {
    expect(citationWords({ citation: 'Minoia F et al. 2019', tag: 'S' })).toBe(
      'Minoia F et al. 2019 [S]',
    );
    expect(citationWords({ citation: 'A review' })).toBe('A review');
    expect(citationWords({})).toBeNull();
    expect(
      entryFieldsChanged({
        change: 'changed',
        id: 'lit.x',
        before: {
          id: 'lit.x',
          kind: 'literature',
          section: 'Response',
          text: 'old',
          citation: 'A',
          tag: 'U',
        },
        after: {
          id: 'lit.x',
          kind: 'literature',
          section: 'Response',
          text: 'new',
          citation: 'A',
          tag: 'S',
        },
      }),
    ).toBe('text, tag');
  });
});
