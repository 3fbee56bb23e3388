/**
 * Named synthetic patients. Fictional and pseudonymous: identifiers are
 * made up, no real person is described.
 */
import type { Patient } from '@mas/contracts';

export const amira: Patient = {
  identifier: 'SYN-AMIRA-7',
  weightKg: 24,
  heightCm: 122,
  birthDate: '2019-05-14',
  sex: 'female',
  underlyingDisease: 'sJIA',
};

/** sJIA-MAS refractory to glucocorticoids and ciclosporin. */
export const ben: Patient = {
  identifier: 'SYN-BEN-16',
  weightKg: 55,
  heightCm: 170,
  birthDate: '2010-02-02',
  sex: 'male',
  underlyingDisease: 'sJIA',
};

/** sJIA-MAS with seizures (CNS involvement). */
export const chloe: Patient = {
  identifier: 'SYN-CHLOE-10',
  weightKg: 32,
  heightCm: 138,
  birthDate: '2016-09-30',
  sex: 'female',
  underlyingDisease: 'sJIA',
};

/** Adult-onset Still's disease, MAS triggered by a bacterial infection. */
export const dario: Patient = {
  identifier: 'SYN-DARIO-34',
  weightKg: 78,
  heightCm: 181,
  birthDate: '1992-01-20',
  sex: 'male',
  underlyingDisease: 'AOSD',
};

/** SLE with EBV-driven MAS. */
export const eun: Patient = {
  identifier: 'SYN-EUN-15',
  weightKg: 48,
  heightCm: 160,
  birthDate: '2011-07-07',
  sex: 'female',
  underlyingDisease: 'SLE',
};

/** Lymphoma-associated secondary HLH/MAS. */
export const farah: Patient = {
  identifier: 'SYN-FARAH-45',
  weightKg: 66,
  heightCm: 168,
  birthDate: '1981-03-03',
  sex: 'female',
  underlyingDisease: 'other',
};

/** Severe sJIA-MAS needing ventilation: combination therapy up front. */
export const gus: Patient = {
  identifier: 'SYN-GUS-9',
  weightKg: 29,
  heightCm: 133,
  birthDate: '2017-11-11',
  sex: 'male',
  underlyingDisease: 'sJIA',
};

/** sJIA followed at risk: MAS recognised late. */
export const hana: Patient = {
  identifier: 'SYN-HANA-14',
  weightKg: 45,
  heightCm: 158,
  birthDate: '2012-04-04',
  sex: 'female',
  underlyingDisease: 'sJIA',
};

/** sJIA-MAS in remission who relapses during the taper. */
export const ivan: Patient = {
  identifier: 'SYN-IVAN-8',
  weightKg: 26,
  heightCm: 127,
  birthDate: '2018-06-18',
  sex: 'male',
  underlyingDisease: 'sJIA',
};

/** sJIA-MAS transferred between units while on treatment. */
export const jade: Patient = {
  identifier: 'SYN-JADE-6',
  weightKg: 21,
  heightCm: 116,
  birthDate: '2020-08-08',
  sex: 'female',
  underlyingDisease: 'sJIA',
};

/** Adult, no known rheumatic disease: suspected MAS that turns out not to be. */
export const kofi: Patient = {
  identifier: 'SYN-KOFI-52',
  weightKg: 82,
  heightCm: 176,
  birthDate: '1974-10-10',
  sex: 'male',
  underlyingDisease: 'unknown',
};
