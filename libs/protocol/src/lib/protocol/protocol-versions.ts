/**
 * The versions of the protocol data this build knows. Deployed versions run
 * side by side: every episode runs under the version it opened with (its
 * context and audit record it) until a senior migrates it with a proven plan;
 * new episodes open under the institution's current version (the service's
 * setting, `masProtocol` by default). Candidates are drafted for review and
 * no episode runs under them. `diffProtocols` shows a committee what a
 * version changes, in clinical words with the evidence.
 */
import { ClinicalInputError } from '../errors/clinical-input.error.js';
import type { EvidenceEntry } from '../evidence/evidence-catalog.constant.js';
import { evidenceCatalog } from '../evidence/evidence-catalog.constant.js';
import { recordingRules } from '../recording/recording-rules.constant.js';
import { contentHash } from './content-hash.util.js';
import {
  type MasProtocolDefinition,
  masProtocolDefinition,
} from './mas-protocol.constant.js';
import { masProtocol } from './mas-protocol.js';
import type { AnalyteId } from './protocol.types.js';

/**
 * A version's protocol data: the deployed definition's shape, with its
 * version number and the monitoring items free to differ (what the machine
 * reads per episode version: `versionedProtocolPaths`).
 */
export type ProtocolDefinition = Omit<
  MasProtocolDefinition,
  'version' | 'monitoring'
> & {
  readonly version: string;
  readonly monitoring: Omit<
    MasProtocolDefinition['monitoring'],
    'items' | 'itemsEvidence'
  > & {
    readonly items: readonly AnalyteId[];
    readonly itemsEvidence: readonly string[];
  };
};

/**
 * The parts of the protocol data the machine reads from the episode's own
 * version (everything else it reads from the deployed definition, so two
 * deployed versions may differ only here: the protocol spec checks it).
 */
export const versionedProtocolPaths: readonly (readonly string[])[] = [
  ['version'],
  ['monitoring', 'items'],
  ['monitoring', 'itemsEvidence'],
];

/**
 * Two version numbers compared part by part, as a sort comparator (1.10.0
 * after 1.9.0): negative when `a` comes first, positive when it comes after.
 * The one comparison of protocol and institution-profile versions.
 */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The definition without its versioned parts (equal across deployed versions). */
export function unversionedDefinition(definition: object): unknown {
  const copy = structuredClone(definition) as Record<string, unknown>;
  for (const path of versionedProtocolPaths) {
    let node: Record<string, unknown> | undefined = copy;
    for (const key of path.slice(0, -1)) {
      node = node?.[key] as Record<string, unknown> | undefined;
    }
    const last = path[path.length - 1];
    if (node && last !== undefined) Reflect.deleteProperty(node, last);
  }
  return copy;
}

/** One version of the protocol data, with the hash stored records carry. */
export interface ProtocolVersion {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  /**
   * Deployed: episodes run under it (new ones under the current deployed
   * version). Candidate: drafted, not deployed.
   */
  readonly status: 'deployed' | 'candidate';
  /** What the version is, in a sentence. */
  readonly summary: string;
  readonly definition: ProtocolDefinition;
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
 * Version 1.1.0: lactate dehydrogenase (LDH) joins the items each
 * reassessment panel should hold. The pooled NI-0501-06 and EMERALD
 * analysis defined a complete response on seven laboratory parameters, LDH
 * among them (clinical-facts.md §7, from secondary reports: tagged [U]);
 * the MS score already reads LDH (Minoia 2019). Deployed beside 1.0.0:
 * episodes open under it where the institution makes it current, and
 * running ones move to it by the migration plan 1.0.0 → 1.1.0.
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

const ldhDefinition: ProtocolDefinition = {
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
const ldhEvidence = [...evidenceCatalog, pooledEmapalumabResponse];

const ldh: ProtocolVersion = {
  id: masProtocolDefinition.id,
  version: ldhDefinition.version,
  title: masProtocolDefinition.title,
  status: 'deployed',
  summary:
    'LDH joins the items each reassessment panel should hold (the pooled emapalumab response definition). Deployed beside 1.0.0; running episodes move to it by a proven migration plan.',
  definition: ldhDefinition,
  evidence: ldhEvidence,
  recording: recordingRules,
  hash: contentHash({
    definition: ldhDefinition,
    evidence: ldhEvidence,
    recording: recordingRules,
  }),
};

/** Every version this build knows, the first deployed one first. */
export const protocolVersions: readonly ProtocolVersion[] = [deployed, ldh];

/** The versions episodes may run under. */
export const deployedProtocolVersions: readonly ProtocolVersion[] =
  protocolVersions.filter((v) => v.status === 'deployed');

/**
 * The deployed version with this number; a ClinicalInputError naming the
 * field otherwise (a candidate or an unknown number runs no episode).
 */
export function deployedProtocolVersion(
  version: string,
  field = 'protocolVersion',
): ProtocolVersion {
  const found = deployedProtocolVersions.find((v) => v.version === version);
  if (found === undefined) {
    throw new ClinicalInputError(
      field,
      `must be a deployed protocol version (${deployedProtocolVersions.map((v) => v.version).join(', ')}), not ${version}`,
    );
  }
  return found;
}

/**
 * A version this build knows, deployed or not: what a replay reads (an
 * episode recorded under a version keeps replaying under it); a
 * ClinicalInputError naming the field otherwise.
 */
export function knownProtocolVersion(
  version: string,
  field = 'protocol.version',
): ProtocolVersion {
  const found = findProtocolVersion(version);
  if (found === undefined) {
    throw new ClinicalInputError(
      field,
      `must be a protocol version this build knows (${protocolVersions.map((v) => v.version).join(', ')}), not ${version}`,
    );
  }
  return found;
}

/** The version with this number, or undefined. */
export function findProtocolVersion(
  version: string,
): ProtocolVersion | undefined {
  return protocolVersions.find((v) => v.version === version);
}
