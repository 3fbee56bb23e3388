/**
 * The versions of the protocol data this build knows: the deployed one
 * (`masProtocol`, which every new episode runs under and every episode
 * records in its audit) and candidates drafted for review, which no episode
 * runs under. `diffProtocols` shows a committee what a candidate changes,
 * in clinical words with the evidence, before it is deployed.
 */
import type { EvidenceEntry } from '../evidence/evidence-catalog.constant.js';
import { evidenceCatalog } from '../evidence/evidence-catalog.constant.js';
import { recordingRules } from '../recording/recording-rules.constant.js';
import { contentHash } from './content-hash.util.js';
import { masProtocolDefinition } from './mas-protocol.constant.js';
import { masProtocol } from './mas-protocol.js';

/** One version of the protocol data, with the hash stored records carry. */
export interface ProtocolVersion {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  /** Deployed: new episodes run under it. Candidate: drafted, not deployed. */
  readonly status: 'deployed' | 'candidate';
  /** What the version is, in a sentence. */
  readonly summary: string;
  readonly definition: unknown;
  readonly evidence: readonly EvidenceEntry[];
  readonly recording: unknown;
  readonly hash: string;
}

const deployed: ProtocolVersion = {
  id: masProtocol.id,
  version: masProtocol.version,
  title: masProtocolDefinition.title,
  status: 'deployed',
  summary:
    'The seed protocol with the published criteria, scores and doses of the evidence catalog and the clinical review of the design.',
  definition: masProtocol.definition,
  evidence: masProtocol.evidence,
  recording: masProtocol.recording,
  hash: masProtocol.hash,
};

/**
 * Candidate 1.1.0: lactate dehydrogenase (LDH) joins the items each
 * reassessment panel should hold. The pooled NI-0501-06 and EMERALD
 * analysis defined a complete response on seven laboratory parameters, LDH
 * among them (clinical-facts.md §7, from secondary reports: tagged [U]);
 * the MS score already reads LDH (Minoia 2019). Drafted for the protocol
 * committee; not deployed.
 */
const pooledEmapalumabResponse: EvidenceEntry = {
  id: 'lit.emapalumab-mas-pooled',
  kind: 'literature',
  section: 'Response',
  text: 'Pooled NI-0501-06 and EMERALD (n = 39): a complete response required all eight components, no clinical signs of MAS and seven laboratory parameters; complete response at week 8 in 21/39 (53.8 %), 69.2 % if LDH is excluded. Found in secondary reports only.',
  citation:
    'Pooled analysis of NI-0501-06 and EMERALD (NCT05001737), as reported by Physician’s Weekly and MedPath',
  tag: 'U',
};

const candidateDefinition = {
  ...masProtocolDefinition,
  version: '1.1.0',
  monitoring: {
    ...masProtocolDefinition.monitoring,
    items: [...masProtocolDefinition.monitoring.items, 'ldh'],
    itemsEvidence: [
      ...masProtocolDefinition.monitoring.itemsEvidence,
      pooledEmapalumabResponse.id,
      'lit.minoia-2019',
    ],
  },
};
const candidateEvidence = [...evidenceCatalog, pooledEmapalumabResponse];

const candidate: ProtocolVersion = {
  id: masProtocolDefinition.id,
  version: candidateDefinition.version,
  title: masProtocolDefinition.title,
  status: 'candidate',
  summary:
    'Candidate: LDH joins the items each reassessment panel should hold (the pooled emapalumab response definition). Drafted for review, not deployed.',
  definition: candidateDefinition,
  evidence: candidateEvidence,
  recording: recordingRules,
  hash: contentHash({
    definition: candidateDefinition,
    evidence: candidateEvidence,
    recording: recordingRules,
  }),
};

/** Every version this build knows, the deployed one first. */
export const protocolVersions: readonly ProtocolVersion[] = [
  deployed,
  candidate,
];

/** The version with this number, or undefined. */
export function findProtocolVersion(
  version: string,
): ProtocolVersion | undefined {
  return protocolVersions.find((v) => v.version === version);
}
