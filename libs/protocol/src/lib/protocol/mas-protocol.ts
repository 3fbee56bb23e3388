import { evidenceCatalog } from '../evidence/evidence-catalog.constant.js';
import { recordingRules } from '../recording/recording-rules.constant.js';
import { contentHash } from './content-hash.util.js';
import { masProtocolDefinition } from './mas-protocol.constant.js';

/**
 * The versioned protocol: its definition, its evidence catalog and a content
 * hash over both, which stored records carry.
 */
export const masProtocol = {
  id: masProtocolDefinition.id,
  version: masProtocolDefinition.version,
  definition: masProtocolDefinition,
  evidence: evidenceCatalog,
  recording: recordingRules,
  hash: contentHash({
    definition: masProtocolDefinition,
    evidence: evidenceCatalog,
    recording: recordingRules,
  }),
} as const;
