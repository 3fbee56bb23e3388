/**
 * Who may record which event, and when an event's clinical time may lie:
 * protocol data (versioned and hashed with the protocol), read by the
 * machine's checks, the service's validation and the forms.
 *
 * Roles: only prescribers (clinician, senior clinician) start, change or stop
 * a therapy or decide a diagnosis; decisions on refractory therapy are a
 * senior's; the scheduler's clock event comes from the service alone.
 */
export type RecordingRole =
  'clinician' | 'senior-clinician' | 'nurse' | 'pharmacist' | 'system';

const prescribers = ['clinician', 'senior-clinician'] as const;
const seniors = ['senior-clinician'] as const;
const wardTeam = ['clinician', 'senior-clinician', 'nurse'] as const;

export const recordingRules = {
  evidence: ['software.recording', 'review.section-10'],
  /** The roles that may record each event type. */
  eventRoles: {
    'clock.ticked': ['system'],
    // Results also arrive from the laboratory's interface (the system).
    'labs.recorded': [...wardTeam, 'system'],
    'suspicion.recorded': wardTeam,
    'workup.started': prescribers,
    'diagnosis.confirmed': prescribers,
    'diagnosis.excluded': prescribers,
    'severity.assessed': prescribers,
    'therapy.started': prescribers,
    'therapy.dose-changed': prescribers,
    'therapy.stopped': prescribers,
    'other-therapy.started': prescribers,
    'other-therapy.stopped': prescribers,
    'background-therapy.recorded': [...prescribers, 'pharmacist'],
    // Who may request, approve or countersign is the checks' business too
    // (four eyes); the table says which roles may try.
    'escalation.requested': seniors,
    'escalation.approved': seniors,
    'escalation.rejected': seniors,
    'escalation.countersigned': seniors,
    'screening.recorded': [...prescribers, 'nurse', 'pharmacist'],
    'trigger.identified': prescribers,
    'antimicrobials.started': prescribers,
    'antimicrobials.stopped': prescribers,
    'decision.recorded': prescribers,
    'malignancy-treatment.started': prescribers,
    'support.started': wardTeam,
    'support.stopped': wardTeam,
    'reassessment.recorded': prescribers,
    'hold.started': prescribers,
    'hold.ended': prescribers,
    'remission.recorded': prescribers,
    'taper.started': prescribers,
    'relapse.recorded': prescribers,
    'death.recorded': prescribers,
    'transfer-out.recorded': wardTeam,
    // Nurses weigh and measure.
    'measures.recorded': wardTeam,
    'episode.closed': prescribers,
    // A senior moves a running episode to another deployed protocol version
    // (through its own route, with a proven plan).
    'protocol.migrated': seniors,
    // The service, when it runs with another institution profile.
    'profile.adopted': ['system'],
  } as Readonly<Record<string, readonly RecordingRole[]>>,
  /** Human words for the roles (messages and forms). */
  roleLabels: {
    clinician: 'clinician',
    'senior-clinician': 'senior clinician',
    nurse: 'nurse',
    pharmacist: 'pharmacist',
    system: 'the service (scheduler or laboratory interface)',
  } as Readonly<Record<RecordingRole, string>>,
  /**
   * Drugs outside the protocol's table ("other therapy"): recorded with a
   * code from a standard terminology; they never steer the protocol's stages,
   * except the oral glucocorticoid taper, recognised by these codes and names
   * (ATC and RxNorm ingredient codes of prednisolone and prednisone).
   */
  otherTherapy: {
    glucocorticoidTaper: {
      codes: {
        'http://www.whocc.no/atc': ['H02AB06', 'H02AB07'],
        'http://www.nlm.nih.gov/research/umls/rxnorm': ['8638', '8640'],
      } as Readonly<Record<string, readonly string[]>>,
      names: ['prednisolone', 'prednisone'],
      routes: ['oral'],
      evidence: ['seed.monitoring.3', 'review.section-10'],
    },
    /**
     * ATC codes of the protocol's own drugs: such a drug is never recorded
     * as "other" (its own rules, approvals included, always apply). Names
     * are matched too (the drug ids and their aliases).
     */
    protocolDrugCodes: {
      'http://www.whocc.no/atc': {
        H02AB04: 'methylprednisolone',
        H02AB02: 'dexamethasone',
        L04AD01: 'ciclosporin',
        L04AC03: 'anakinra',
        L04AC07: 'tocilizumab',
        L01EJ01: 'ruxolitinib',
        L04AF02: 'baricitinib',
        // Baricitinib's code before the 2024 ATC revision.
        L04AA37: 'baricitinib',
        L01CB01: 'etoposide',
        L01FA01: 'rituximab',
      },
    } as Readonly<Record<string, Readonly<Record<string, string>>>>,
    /**
     * Proprietary (brand) names of the protocol's drugs, as their EMA and
     * FDA product information names them: "Gamifant" is emapalumab and
     * "Solu-Medrol" methylprednisolone, so a brand name never lets a drug of
     * the table pass as "other" (and skip its approvals and dose checks).
     * Matched on the display's words, hyphens and spaces ignored.
     */
    protocolDrugBrands: {
      methylprednisolone: [
        'Solu-Medrol',
        'Solu-Medrone',
        'Medrol',
        'Depo-Medrol',
        'Urbason',
        'Metypred',
        'A-Methapred',
      ],
      dexamethasone: ['Decadron', 'Fortecortin'],
      ciclosporin: [
        'Sandimmun',
        'Sandimmune',
        'Neoral',
        'Gengraf',
        'Cicloral',
        'Deximune',
        'Capimune',
      ],
      anakinra: ['Kineret'],
      emapalumab: ['Gamifant'],
      ruxolitinib: ['Jakafi', 'Jakavi'],
      baricitinib: ['Olumiant'],
      etoposide: [
        'VePesid',
        'Vepeside',
        'Etopophos',
        'Toposar',
        'Etopos',
        'Lastet',
      ],
      rituximab: [
        'MabThera',
        'Rituxan',
        'Truxima',
        'Ruxience',
        'Riabni',
        'Rixathon',
        'Blitzima',
        'Riximyo',
        'Ritemvia',
      ],
      tocilizumab: ['RoActemra', 'Actemra', 'Tyenne', 'Tofidence'],
    } as Readonly<Record<string, readonly string[]>>,
    /**
     * Abbreviations wards write for the protocol's drugs ("CsA", "IVMP",
     * "MP pulse", "dexa"), matched as the brand names are. Only those that
     * name nothing else a ward records: "MP" alone is also 6-MP
     * (mercaptopurine), "dex" dexmedetomidine, "DXM" dextromethorphan.
     */
    /**
     * Development codes under which the protocol's drugs are still written
     * in trial protocols and some orders (matched as the brand names are).
     */
    protocolDrugDevelopmentCodes: {
      emapalumab: ['NI-0501'],
      ruxolitinib: ['INCB018424', 'INCB-018424'],
      baricitinib: ['LY3009104', 'INCB028050'],
    } as Readonly<Record<string, readonly string[]>>,
    protocolDrugAbbreviations: {
      methylprednisolone: ['IVMP', 'MP pulse', 'mPSL', 'methylpred', 'MPred'],
      dexamethasone: ['dexa', 'dexameth'],
      ciclosporin: ['CsA', 'CyA'],
      rituximab: ['RTX'],
      tocilizumab: ['TCZ'],
    } as Readonly<Record<string, readonly string[]>>,
  },
  /**
   * A drug given under more than one record at once (a repeat pulse over a
   * course still running, or the same pulse recorded twice by two people):
   * what all its records give in any one day is held against the same
   * per-day limits as a single record's schedule.
   */
  dailyTotal: {
    /** The span a daily total is summed over, before and after the new dose. */
    windowHours: 24,
    /**
     * A pulse record "day n of N" given within this many hours of the day-n
     * infusion of an earlier record of the same course documents that
     * infusion, not another one.
     */
    sameInfusionHours: 12,
    evidence: ['seed.initial.1', 'review.section-10', 'software.recording'],
  },
  time: {
    /**
     * How far past the service's own clock a clinical time may lie: clock
     * skew between the ward's devices and the server, not clinical content.
     * The same skew before the episode opened is still the admission (a
     * pulse given "now", typed to the minute, a minute after opening the
     * episode: no rationale asked).
     */
    futureSkewMinutes: 5,
    /**
     * How far before the episode opened a clinical time may lie (what
     * happened before admission: a referral's labs, a pulse given at the
     * referring hospital), with a rationale; earlier than this is refused.
     */
    lookBackHours: 24 * 14,
  },
} as const;

export type RecordingRules = typeof recordingRules;

/**
 * The roles that may record `type` (none for an unknown type, a name of the
 * object's prototype such as "toString" included).
 */
export function rolesFor(type: string): readonly RecordingRole[] {
  return Object.hasOwn(recordingRules.eventRoles, type)
    ? (recordingRules.eventRoles[type] ?? [])
    : [];
}

/** Words for a list of roles: "clinician or senior clinician". */
export function describeRoles(roles: readonly RecordingRole[]): string {
  const words = roles.map((role) => recordingRules.roleLabels[role]);
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}
