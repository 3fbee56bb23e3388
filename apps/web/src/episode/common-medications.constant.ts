/**
 * A few medications outside the protocol's table that MAS episodes often
 * record, with their ATC codes (WHO Collaborating Centre for Drug
 * Statistics Methodology). Any other is entered with its own code. The
 * machine decides what a coding means (oral prednisolone or prednisone is
 * the taper it tracks; a drug of the protocol's table is refused here).
 */
import type { MedicationCoding } from '@mas/contracts';

const ATC = 'http://www.whocc.no/atc';

/** The terminologies the contract accepts, in words. */
export const TERMINOLOGIES = [
  { system: ATC, name: 'ATC' },
  { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', name: 'RxNorm' },
  { system: 'http://snomed.info/sct', name: 'SNOMED CT' },
] as const satisfies readonly {
  system: MedicationCoding['system'];
  name: string;
}[];

export interface CommonMedication extends MedicationCoding {
  /** How the list shows it. */
  readonly label: string;
  readonly terminology: string;
}

export const COMMON_MEDICATIONS: readonly CommonMedication[] = [
  {
    system: ATC,
    code: 'H02AB06',
    display: 'prednisolone',
    label: 'prednisolone (oral glucocorticoid taper)',
    terminology: 'ATC',
  },
  {
    system: ATC,
    code: 'H02AB07',
    display: 'prednisone',
    label: 'prednisone (oral glucocorticoid taper)',
    terminology: 'ATC',
  },
  {
    system: ATC,
    code: 'J06BA02',
    display: 'immunoglobulins, normal human, for intravascular adm. (IVIG)',
    label: 'IVIG (normal human immunoglobulin, intravascular)',
    terminology: 'ATC',
  },
  {
    system: ATC,
    code: 'L01AA01',
    display: 'cyclophosphamide',
    label: 'cyclophosphamide',
    terminology: 'ATC',
  },
];
