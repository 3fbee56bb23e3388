/**
 * The evidence catalog of mas-protocol: every statement of the seed protocol
 * (the lead paragraph and its 29 bullets, in the seed's own words) and the
 * published sources behind the numbers in the protocol data.
 *
 * Ids are stable: later records (audits, traces) refer to them. Never renumber;
 * add new entries instead.
 */

/** Where an entry comes from. */
export type EvidenceKind =
  'seed-statement' | 'literature' | 'design-review' | 'software';

/**
 * [S] stated by the cited source, [C] computed from a published table,
 * [U] not confirmed in a primary text (never a default: institution-set).
 */
export type EvidenceTag = 'S' | 'C' | 'U';

export interface SeedStatement {
  readonly id: `seed.${string}`;
  readonly kind: 'seed-statement';
  readonly section: string;
  readonly text: string;
  readonly referenceMarkers: readonly number[];
}

export interface SourceEntry {
  readonly id: string;
  readonly kind: 'literature' | 'design-review' | 'software';
  readonly section: string;
  readonly text: string;
  readonly citation: string;
  readonly url?: string;
  readonly tag?: EvidenceTag;
}

export type EvidenceEntry = SeedStatement | SourceEntry;

const seed = (entry: Omit<SeedStatement, 'kind'>): SeedStatement => ({
  kind: 'seed-statement',
  ...entry,
});

/** The 30 statements of `mas-treatment-seed.txt`, in order. */
export const seedStatements: readonly SeedStatement[] = [
  seed({
    id: 'seed.lead',
    section: 'Lead',
    text: 'High-dose glucocorticoids are the cornerstone of initial treatment for Macrophage Activation Syndrome, with additional therapies including cyclosporine, anakinra, and emapalumab recommended for inadequate response or severe cases.',
    referenceMarkers: [1],
  }),
  seed({
    id: 'seed.initial.1',
    section: 'Initial Treatment',
    text: 'High-dose glucocorticoids are the mainstay of treatment, typically administered as intravenous pulses of methylprednisolone (15-30 mg/kg/day, maximum 1g/infusion)',
    referenceMarkers: [1],
  }),
  seed({
    id: 'seed.initial.2',
    section: 'Initial Treatment',
    text: 'Dexamethasone should be considered when central nervous system involvement is present, as it better crosses the blood-brain barrier',
    referenceMarkers: [1],
  }),
  seed({
    id: 'seed.initial.3',
    section: 'Initial Treatment',
    text: 'Early initiation of treatment is crucial to prevent irreversible organ damage and improve survival',
    referenceMarkers: [2],
  }),
  seed({
    id: 'seed.initial.4',
    section: 'Initial Treatment',
    text: 'High-dose glucocorticoids may achieve satisfactory results in a substantial number of patients, particularly if initiated early',
    referenceMarkers: [1],
  }),
  seed({
    id: 'seed.second-line.1',
    section: 'Second-Line and Combination Therapies',
    text: 'For patients with inadequate response to glucocorticoids or severe MAS with rapid worsening, additional agents should be considered',
    referenceMarkers: [1],
  }),
  seed({
    id: 'seed.second-line.2',
    section: 'Second-Line and Combination Therapies',
    text: 'Cyclosporine A has shown effectiveness despite the absence of formal clinical trials and should be considered in cases of inadequate response to glucocorticoids',
    referenceMarkers: [1],
  }),
  seed({
    id: 'seed.second-line.3',
    section: 'Second-Line and Combination Therapies',
    text: 'Cyclosporine can be administered orally or intravenously, particularly in the critical care setting',
    referenceMarkers: [1],
  }),
  seed({
    id: 'seed.second-line.4',
    section: 'Second-Line and Combination Therapies',
    text: 'Anakinra (IL-1 receptor antagonist) should be used at doses higher than the standard 1-2 mg/kg/day, possibly with intravenous repeated doses',
    referenceMarkers: [1, 3],
  }),
  seed({
    id: 'seed.second-line.5',
    section: 'Second-Line and Combination Therapies',
    text: 'Combination therapies with multiple agents on a background of high-dose glucocorticoids are often necessary and should be considered as initial therapy in severe cases',
    referenceMarkers: [1],
  }),
  seed({
    id: 'seed.refractory.1',
    section: 'Advanced Therapies for Refractory Cases',
    text: "Emapalumab (anti-IFN-γ antibody) has shown efficacy in a clinical trial for Still's disease-related MAS, with achievement of remission in the majority of patients who had failed standard care with high-dose glucocorticoids",
    referenceMarkers: [1],
  }),
  seed({
    id: 'seed.refractory.2',
    section: 'Advanced Therapies for Refractory Cases',
    text: 'JAK inhibitors (ruxolitinib or baricitinib) have shown efficacy in case reports of refractory MAS',
    referenceMarkers: [1],
  }),
  seed({
    id: 'seed.refractory.3',
    section: 'Advanced Therapies for Refractory Cases',
    text: 'Low-dose etoposide may be considered in refractory MAS cases',
    referenceMarkers: [1, 4],
  }),
  seed({
    id: 'seed.refractory.4',
    section: 'Advanced Therapies for Refractory Cases',
    text: 'For MAS associated with EBV infection, rituximab may be beneficial',
    referenceMarkers: [5],
  }),
  seed({
    id: 'seed.monitoring.1',
    section: 'Monitoring Response to Therapy',
    text: 'Frequent clinical reassessment (at least every 12 hours) is essential',
    referenceMarkers: [4, 2],
  }),
  seed({
    id: 'seed.monitoring.2',
    section: 'Monitoring Response to Therapy',
    text: 'Monitor inflammatory parameters including ferritin, soluble CD25, complete blood counts, and organ function',
    referenceMarkers: [4, 2],
  }),
  seed({
    id: 'seed.monitoring.3',
    section: 'Monitoring Response to Therapy',
    text: 'Decreasing ferritin levels, improving cytopenias, and resolving coagulopathy indicate response to therapy',
    referenceMarkers: [2],
  }),
  seed({
    id: 'seed.subtype.1',
    section: 'Special Considerations by MAS Subtype',
    text: "In Still's disease-related MAS: high-dose glucocorticoids, cyclosporine A, anakinra, or tocilizumab are recommended",
    referenceMarkers: [1],
  }),
  seed({
    id: 'seed.subtype.2',
    section: 'Special Considerations by MAS Subtype',
    text: 'In malignancy-associated MAS: treatment should target both the MAS and the underlying malignancy',
    referenceMarkers: [4],
  }),
  seed({
    id: 'seed.subtype.3',
    section: 'Special Considerations by MAS Subtype',
    text: 'In infection-triggered MAS: appropriate antimicrobial therapy should be initiated alongside immunosuppressive treatment',
    referenceMarkers: [5, 2],
  }),
  seed({
    id: 'seed.supportive.1',
    section: 'Supportive Care',
    text: 'Critical care support including ventilation, vasopressors, renal replacement therapy, and transfusions may be needed',
    referenceMarkers: [4, 2],
  }),
  seed({
    id: 'seed.supportive.2',
    section: 'Supportive Care',
    text: 'Manage cytopenias with appropriate transfusion support',
    referenceMarkers: [5],
  }),
  seed({
    id: 'seed.supportive.3',
    section: 'Supportive Care',
    text: 'Address coagulopathy and monitor for bleeding complications',
    referenceMarkers: [2],
  }),
  seed({
    id: 'seed.pitfalls.1',
    section: 'Common Pitfalls to Avoid',
    text: 'Delayed diagnosis and treatment significantly increases mortality',
    referenceMarkers: [4, 2],
  }),
  seed({
    id: 'seed.pitfalls.2',
    section: 'Common Pitfalls to Avoid',
    text: 'Inadequate use of antimicrobials when infection is the primary trigger',
    referenceMarkers: [2],
  }),
  seed({
    id: 'seed.pitfalls.3',
    section: 'Common Pitfalls to Avoid',
    text: 'Failure to recognize MAS as a complication of autoimmune inflammatory diseases',
    referenceMarkers: [6],
  }),
  seed({
    id: 'seed.pitfalls.4',
    section: 'Common Pitfalls to Avoid',
    text: 'Underestimating the severity and rapid progression of MAS',
    referenceMarkers: [7],
  }),
  seed({
    id: 'seed.emerging.1',
    section: 'Emerging Evidence',
    text: 'A triple regimen of anakinra, systemic glucocorticoids, and cyclosporine has shown improved clinical outcomes in recent studies',
    referenceMarkers: [3],
  }),
  seed({
    id: 'seed.emerging.2',
    section: 'Emerging Evidence',
    text: 'Anti-IL-18 therapy is being investigated as a potential treatment option',
    referenceMarkers: [7],
  }),
  seed({
    id: 'seed.emerging.3',
    section: 'Emerging Evidence',
    text: 'Early addition of targeted cytokine therapies may lower mortality in this frequently fatal disorder',
    referenceMarkers: [7],
  }),
];

/** Published sources behind the protocol data's numbers. */
export const sourceEntries: readonly SourceEntry[] = [
  {
    id: 'lit.ravelli-2016',
    kind: 'literature',
    section: 'Classification',
    text: '2016 EULAR/ACR/PRINTO classification of MAS in sJIA: a febrile patient with known or suspected sJIA with ferritin > 684 ng/mL and any 2 of platelets <= 181 x10^9/L, AST > 48 U/L, triglycerides > 156 mg/dL, fibrinogen <= 360 mg/dL. Sensitivity 0.73, specificity 0.99.',
    citation: 'Ravelli A et al. Ann Rheum Dis 2016;75:481',
    url: 'https://ard.bmj.com/content/75/3/481',
    tag: 'S',
  },
  {
    id: 'lit.shimizu-2020',
    kind: 'literature',
    section: 'Classification',
    text: 'Under tocilizumab, 25% of MAS cases met the 2016 criteria vs 83.3% untreated; the criteria are not applicable during tocilizumab, which masks fever and CRP.',
    citation: 'Shimizu M et al. (2020)',
    url: 'https://pmc.ncbi.nlm.nih.gov/articles/PMC6954608',
    tag: 'S',
  },
  {
    id: 'lit.fardet-2014',
    kind: 'literature',
    section: 'Classification',
    text: 'HScore for reactive haemophagocytic syndrome: nine weighted variables, probability from a lookup table, best cut-off 169 (sensitivity 93%, specificity 86%). Derived in adults.',
    citation: 'Fardet L et al. Arthritis Rheumatol 2014;66:2613',
    url: 'https://www.hindawi.com/journals/crirh/2017/5304180/tab3/',
    tag: 'S',
  },
  {
    id: 'lit.henter-2007',
    kind: 'literature',
    section: 'Classification',
    text: 'HLH-2004 diagnostic guidelines: molecular diagnosis, or 5 of 8 criteria.',
    citation: 'Henter JI et al. Pediatr Blood Cancer 2007;48:124',
    url: 'https://highlighthlh.com/HLH-2004',
    tag: 'S',
  },
  {
    id: 'lit.jordan-2011',
    kind: 'literature',
    section: 'Classification',
    text: 'Later adaptations of HLH-2004 read "fever" as >= 38.5 C (a labelled convention, not the original table). Recommends daily labs at first, tapering to weekly as values normalise.',
    citation: 'Jordan MB et al. Blood 2011',
    tag: 'S',
  },
  {
    id: 'lit.minoia-2019',
    kind: 'literature',
    section: 'Classification',
    text: 'MS score distinguishing MAS from active sJIA: 2.44 CNS + 1.54 haemorrhage - 1.30 active arthritis - 0.003 PLT + 0.001 LDH - 0.004 fibrinogen + 0.0001 ferritin; consider MAS at >= -2.1 (sensitivity 0.85, specificity 0.95).',
    citation: 'Minoia F et al. Ann Rheum Dis 2019;78:1357',
    url: 'https://ard.bmj.com/content/78/10/1357',
    tag: 'S',
  },
  {
    id: 'lit.eloseily-2019',
    kind: 'literature',
    section: 'Classification',
    text: 'Ferritin/ESR ratio of 21.5 distinguished MAS from active sJIA with 82% sensitivity and 78% specificity.',
    citation: 'Eloseily EM et al. ACR Open Rheumatol 2019',
    url: 'https://pmc.ncbi.nlm.nih.gov/articles/PMC6857981',
    tag: 'S',
  },
  {
    id: 'lit.emerald-nct05001737',
    kind: 'literature',
    section: 'Dosing',
    text: 'High-dose IV glucocorticoids: >= 2 mg/kg/day prednisone-equivalent, including but not limited to 30 mg/kg methylprednisolone pulses x 3 days; inadequate response after >= 3 days (a trial eligibility rule, not a gate).',
    citation: 'EMERALD trial, NCT05001737',
    url: 'https://trials.co/clinical-trials-details/evaluate-efficacy-safety-and-tolerability-pk-and-pd-of-emapalumab-in-children-and-adults-with-mas-in-stills-or-sle/NCT05001737',
    tag: 'S',
  },
  {
    id: 'lit.mosteller-1987',
    kind: 'literature',
    section: 'Dosing',
    text: 'Body surface area (m2) = square root of (height cm x weight kg / 3600).',
    citation: 'Mosteller RD. N Engl J Med 1987;317:1098',
    tag: 'S',
  },
  {
    id: 'lit.mouy-1996',
    kind: 'literature',
    section: 'Dosing',
    text: 'Ciclosporin 2-5 mg/kg/day added to glucocorticoids (2-8 mg/kg/day alone); fever resolved within 24-48 h.',
    citation: 'Mouy R et al. J Pediatr 1996 (PMID 8917244)',
    tag: 'S',
  },
  {
    id: 'lit.anakinra-mas-dosing',
    kind: 'literature',
    section: 'Dosing',
    text: 'Anakinra in MAS: induction mean 5.1 mg/kg/day, highest reported 29.4 mg/kg/day; adults by continuous IV up to 2400 mg/day; IV use in 19 children without anaphylaxis. No agreed maximum dose.',
    citation:
      'Fingerhutová et al. Front Pediatr 2022; Monteagudo et al. ACR Open Rheumatol 2020; Phadke et al. Pediatr Rheumatol 2021; Mehta et al. Lancet Rheumatol 2020',
    tag: 'S',
  },
  {
    id: 'lit.anakinra-label',
    kind: 'literature',
    section: 'Dosing',
    text: 'Anakinra (Kineret) label: licensed 100 mg/day SC in adults; for creatinine clearance < 30 mL/min (severe renal insufficiency, end-stage renal disease) consider giving the prescribed dose every other day.',
    citation: 'Kineret prescribing information',
    tag: 'S',
  },
  {
    id: 'lit.nct03311854',
    kind: 'literature',
    section: 'Dosing',
    text: 'Emapalumab in sJIA-MAS: 6 mg/kg IV, then 3 mg/kg every 3 days to day 15, then twice weekly to day 28 (could be adapted).',
    citation:
      'NI-0501-06, NCT03311854; De Benedetti F et al. Ann Rheum Dis 2023;82:857',
    url: 'https://ard.bmj.com/content/82/6/857',
    tag: 'S',
  },
  {
    id: 'lit.chellapandian-2013',
    kind: 'literature',
    section: 'Dosing',
    text: 'Rituximab in EBV-HLH: median dose 375 mg/m2, mean 3 infusions (range 1-10); no benefit seen where EBV was mostly in T cells.',
    citation: 'Chellapandian D et al. Br J Haematol 2013',
    tag: 'S',
  },
  {
    id: 'lit.eloseily-2020',
    kind: 'literature',
    section: 'Outcomes',
    text: 'Anakinra cohort: starting anakinra within 5 days of admission was associated with lower mortality (p = 0.046).',
    citation: 'Eloseily EM et al. Arthritis Rheumatol 2020',
    tag: 'S',
  },
  {
    id: 'lit.emapalumab-label',
    kind: 'literature',
    section: 'Safety',
    text: 'Emapalumab label section 5.1: screen for latent tuberculosis and give prophylaxis against herpes zoster, Pneumocystis jirovecii and fungal infections.',
    citation: 'Gamifant (emapalumab) prescribing information, section 5.1',
    tag: 'S',
  },
  {
    id: 'lit.rituximab-label',
    kind: 'literature',
    section: 'Safety',
    text: 'Rituximab boxed warning: hepatitis B reactivation; screen for HBV before treatment.',
    citation: 'Rituximab prescribing information, boxed warning',
    tag: 'S',
  },
  {
    id: 'review.section-10',
    kind: 'design-review',
    section: 'Design',
    text: 'Clinical review of the design (clinical-facts.md section 10): what must never be blocked, what is an alert rather than a block; [U] figures are institution-set parameters with no default.',
    citation: 'Project clinical review, clinical-facts.md section 10',
  },
  {
    id: 'software.plausibility',
    kind: 'software',
    section: 'Input validation',
    text: 'Physiological plausibility bounds: values outside them are rejected as data-entry or unit errors. They are generous input checks, not clinical thresholds.',
    citation: 'mas-protocol input validation',
  },
  {
    id: 'software.measure-change',
    kind: 'software',
    section: 'Input validation',
    text: 'A new weight against the one the episode holds, and a weight against the height: a weight that moves by a quarter or more between two records (25 kg then 2.5 kg, a misplaced decimal; 25 then 60, pounds for kilograms) or a body mass index outside 8-60 kg/m2 is accepted only once the recorder confirms it, because weight-based doses are computed and checked from it (a slip would either block a correct dose or let a tenfold dose pass as within limits). Set by the software team [C]; input checks awaiting clinical review, never clinical thresholds, and they never refuse a value.',
    citation: 'mas-protocol input validation',
  },
  {
    id: 'software.ucum',
    kind: 'software',
    section: 'Input validation',
    text: 'Units are UCUM codes; conversions use the NLM UCUM library, with substance molar masses for mass-to-substance conversions; converted values are rounded to a fixed number of significant digits before comparison to strip floating-point noise.',
    citation: 'Unified Code for Units of Measure; @lhncbc/ucum-lhc',
  },
  {
    id: 'software.usual-range',
    kind: 'software',
    section: 'Input validation',
    text: 'Usual ranges: a plausible value outside them is accepted only once the clinician confirms it, because it most often means a unit slip (platelets entered as 110 /uL for 110 x10^9/L, weight in grams, height in metres). Set by the software team from common reference intervals widened to the extremes reported in severe MAS/HLH [C]; they are input checks awaiting clinical review, never clinical thresholds, and they never refuse a value.',
    citation: 'mas-protocol input validation',
  },
  {
    id: 'software.lab-picture',
    kind: 'software',
    section: 'Input validation',
    text: 'The lab picture combines the latest value of each item across panels, by sample time, while it is at most one daily monitoring interval (24 h) old: labs are repeated daily at first (Jordan 2011) and MAS progresses fast. The window is derived [C], not a published figure. Findings that do not change within an episode stay until replaced.',
    citation: 'mas-protocol lab picture',
  },
  {
    id: 'software.recording',
    kind: 'software',
    section: 'Recording rules',
    text: 'Who records what and when: only prescribers start, change or stop a therapy or decide a diagnosis; the scheduler alone sends clock events; a clinical time may not lie in the future beyond a small clock skew, nor before the episode opened by more than a look-back (earlier than the opening only with a rationale). Settings of the software, not clinical thresholds.',
    citation: 'mas-protocol recording rules',
  },
];

/** Every entry, seed statements first. */
export const evidenceCatalog: readonly EvidenceEntry[] = [
  ...seedStatements,
  ...sourceEntries,
];

export type EvidenceId = string;

const byId = new Map<string, EvidenceEntry>(
  evidenceCatalog.map((entry) => [entry.id, entry]),
);

/** The entry with this id, or undefined. */
export function findEvidence(id: string): EvidenceEntry | undefined {
  return byId.get(id);
}
