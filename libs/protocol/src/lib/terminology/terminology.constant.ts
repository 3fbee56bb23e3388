/**
 * The standard codes the service speaks to other systems in (FHIR export
 * and import): LOINC per analyte and unit, UCUM units, ATC per drug. Kept
 * apart from the protocol definition (whose content hash the stored
 * episodes carry): a code added or corrected here changes no clinical rule
 * and no replay. Versioned, with its sources, and with its own hash.
 *
 * A code is listed only where it was checked against its source; where none
 * was, the entry says so (`uncoded`, with why), and the resource carries the
 * words alone: a wrong code in a laboratory feed is worse than none.
 */
import type { DrugId } from '../doses/dose-request.schema.js';
import { contentHash } from '../protocol/content-hash.util.js';
import type { AnalyteId } from '../protocol/protocol.types.js';

export const codeSystems = {
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  atc: 'http://www.whocc.no/atc',
  snomed: 'http://snomed.info/sct',
} as const;

export interface TerminologySource {
  readonly id: string;
  readonly citation: string;
  readonly url: string;
}

export interface Code {
  readonly code: string;
  readonly display: string;
}

/** An analyte's LOINC code for each UCUM unit it is accepted in. */
export type AnalyteCoding =
  | {
      readonly loinc: Readonly<Record<string, Code>>;
      readonly source: string;
    }
  | { readonly uncoded: string };

export type DrugCoding =
  | { readonly atc: Code; readonly source: string }
  | { readonly uncoded: string };

const loinc = 'terminology.loinc';
const atc = 'terminology.atc';

const counts = (code: Code) => ({
  '10*9/L': code,
  '10*3/uL': code,
  '/uL': code,
});

const analytes: Readonly<Record<AnalyteId, AnalyteCoding>> = {
  ferritin: {
    loinc: {
      'ng/mL': {
        code: '2276-4',
        display: 'Ferritin [Mass/volume] in Serum or Plasma',
      },
      'ug/L': {
        code: '2276-4',
        display: 'Ferritin [Mass/volume] in Serum or Plasma',
      },
    },
    source: loinc,
  },
  platelets: {
    loinc: counts({
      code: '777-3',
      display: 'Platelets [#/volume] in Blood by Automated count',
    }),
    source: loinc,
  },
  leukocytes: {
    loinc: counts({
      code: '6690-2',
      display: 'Leukocytes [#/volume] in Blood by Automated count',
    }),
    source: loinc,
  },
  neutrophils: {
    loinc: counts({
      code: '751-8',
      display: 'Neutrophils [#/volume] in Blood by Automated count',
    }),
    source: loinc,
  },
  hemoglobin: {
    loinc: {
      'g/L': { code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' },
      'g/dL': { code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' },
    },
    source: loinc,
  },
  ast: {
    loinc: {
      'U/L': {
        code: '1920-8',
        display:
          'Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma',
      },
    },
    source: loinc,
  },
  alt: {
    loinc: {
      'U/L': {
        code: '1742-6',
        display:
          'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma',
      },
    },
    source: loinc,
  },
  ldh: {
    loinc: {
      'U/L': {
        code: '2532-0',
        display:
          'Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma',
      },
    },
    source: loinc,
  },
  triglycerides: {
    loinc: {
      'mmol/L': {
        code: '14927-8',
        display: 'Triglyceride [Moles/volume] in Serum or Plasma',
      },
      'mg/dL': {
        code: '2571-8',
        display: 'Triglyceride [Mass/volume] in Serum or Plasma',
      },
    },
    source: loinc,
  },
  fibrinogen: {
    loinc: {
      'g/L': {
        code: '3255-7',
        display:
          'Fibrinogen [Mass/volume] in Platelet poor plasma by Coagulation assay',
      },
      'mg/dL': {
        code: '3255-7',
        display:
          'Fibrinogen [Mass/volume] in Platelet poor plasma by Coagulation assay',
      },
    },
    source: loinc,
  },
  sCD25: {
    uncoded:
      'soluble IL-2 receptor: the LOINC code depends on the laboratory method and was not confirmed here; the laboratory system maps it',
  },
  esr: {
    loinc: {
      'mm/h': {
        code: '4537-7',
        display: 'Erythrocyte sedimentation rate by Westergren method',
      },
    },
    source: loinc,
  },
  crp: {
    loinc: {
      'mg/L': {
        code: '1988-5',
        display: 'C reactive protein [Mass/volume] in Serum or Plasma',
      },
      'mg/dL': {
        code: '1988-5',
        display: 'C reactive protein [Mass/volume] in Serum or Plasma',
      },
    },
    source: loinc,
  },
  dDimer: {
    uncoded:
      'D-dimer: the LOINC code depends on the unit convention (FEU or DDU), which the record does not carry',
  },
  creatinine: {
    loinc: {
      'umol/L': {
        code: '14682-9',
        display: 'Creatinine [Moles/volume] in Serum or Plasma',
      },
      'mg/dL': {
        code: '2160-0',
        display: 'Creatinine [Mass/volume] in Serum or Plasma',
      },
    },
    source: loinc,
  },
  bilirubin: {
    loinc: {
      'umol/L': {
        code: '14631-6',
        display: 'Bilirubin.total [Moles/volume] in Serum or Plasma',
      },
      'mg/dL': {
        code: '1975-2',
        display: 'Bilirubin.total [Mass/volume] in Serum or Plasma',
      },
    },
    source: loinc,
  },
};

const drugs: Readonly<Record<DrugId, DrugCoding>> = {
  methylprednisolone: {
    atc: { code: 'H02AB04', display: 'methylprednisolone' },
    source: atc,
  },
  dexamethasone: {
    atc: { code: 'H02AB02', display: 'dexamethasone' },
    source: atc,
  },
  ciclosporin: {
    atc: { code: 'L04AD01', display: 'ciclosporin' },
    source: atc,
  },
  anakinra: { atc: { code: 'L04AC03', display: 'anakinra' }, source: atc },
  tocilizumab: {
    atc: { code: 'L04AC07', display: 'tocilizumab' },
    source: atc,
  },
  ruxolitinib: {
    atc: { code: 'L01EJ01', display: 'ruxolitinib' },
    source: atc,
  },
  baricitinib: {
    atc: { code: 'L04AF02', display: 'baricitinib' },
    source: atc,
  },
  etoposide: { atc: { code: 'L01CB01', display: 'etoposide' }, source: atc },
  rituximab: { atc: { code: 'L01FA01', display: 'rituximab' }, source: atc },
  emapalumab: {
    uncoded:
      'emapalumab: its ATC code was not confirmed against the current ATC index here; the name is sent',
  },
};

const definition = {
  id: 'mas-terminology',
  version: '1.0.0',
  sources: [
    {
      id: 'terminology.loinc',
      citation:
        'LOINC, Regenstrief Institute: the part and term pages of each code listed',
      url: 'https://loinc.org',
    },
    {
      id: 'terminology.atc',
      citation:
        'WHO Collaborating Centre for Drug Statistics Methodology: ATC/DDD Index',
      url: 'https://atcddd.fhi.no/atc_ddd_index/',
    },
    {
      id: 'terminology.snomed-routes',
      citation:
        'HL7 FHIR R4 value set SNOMED CT Route Codes (route-codes), SNOMED International',
      url: 'https://hl7.org/fhir/R4/valueset-route-codes.html',
    },
    {
      id: 'terminology.ucum',
      citation: 'The Unified Code for Units of Measure (UCUM)',
      url: 'https://ucum.org/ucum',
    },
  ] as readonly TerminologySource[],
  analytes,
  /** Body temperature (a vital sign), in degrees Celsius. */
  temperature: {
    loinc: { code: '8310-5', display: 'Body temperature' },
    unit: 'Cel',
    source: loinc,
  },
  drugs,
  /** Routes of administration (SNOMED CT route concepts, FHIR's example set). */
  routes: {
    iv: { code: '47625008', display: 'Intravenous route' },
    oral: { code: '26643006', display: 'Oral route' },
    sc: { code: '34206005', display: 'Subcutaneous route' },
  } as Readonly<Record<string, Code>>,
  /**
   * The condition an episode is about. No SNOMED CT concept for MAS as such
   * was confirmed here (the ones found are narrower, "due to" a named
   * disease): the condition is sent in words; a site binds it with its own
   * terminology service.
   */
  condition: {
    text: 'Macrophage activation syndrome',
    uncoded:
      'no SNOMED CT concept for MAS in general was confirmed against a SNOMED CT release here',
  },
} as const;

/** The terminology, versioned, with a content hash of its own. */
export const terminology = {
  ...definition,
  hash: contentHash(definition),
} as const;

/** The LOINC code of `analyte` recorded in `unit` (null: uncoded). */
export function analyteCode(analyte: AnalyteId, unit: string): Code | null {
  const coding = terminology.analytes[analyte];
  return 'loinc' in coding ? (coding.loinc[unit] ?? null) : null;
}

/** The ATC code of a protocol drug (null: uncoded). */
export function drugCode(drug: DrugId): Code | null {
  const coding = terminology.drugs[drug];
  return 'atc' in coding ? coding.atc : null;
}

/** What a LOINC code names here: an analyte (with its coded units), or the temperature. */
export type LoincTarget =
  | {
      readonly kind: 'analyte';
      readonly analyte: AnalyteId;
      readonly units: readonly string[];
    }
  | { readonly kind: 'temperature'; readonly unit: string };

/** The analyte (or temperature) a LOINC code names, and in which units; null: unknown here. */
export function loincTarget(code: string): LoincTarget | null {
  if (code === terminology.temperature.loinc.code) {
    return { kind: 'temperature', unit: terminology.temperature.unit };
  }
  for (const [analyte, coding] of Object.entries(terminology.analytes) as [
    AnalyteId,
    AnalyteCoding,
  ][]) {
    if (!('loinc' in coding)) continue;
    const units = Object.entries(coding.loinc)
      .filter(([, entry]) => entry.code === code)
      .map(([unit]) => unit);
    if (units.length > 0) return { kind: 'analyte', analyte, units };
  }
  return null;
}
