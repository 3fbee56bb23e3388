/** What the end-to-end suites start: the real service, with an injected clock. */
export * from './app/bootstrap.js';
export * from './app/clock/clock.js';
export * from './app/config/configuration.js';
export { seedDemoData } from './app/demo-data.js';
export * from './app/http-limits.js';
// The write path's pieces, for bench:api's framework-free handler.
export type { AccessLogRow } from './app/access-log/access-log.entity.js';
export {
  accessEntryMac,
  auditEntryHash,
  chainProblems,
  episodeSeal,
  firstBrokenEntry,
  GENESIS_HASH,
  qualitySeal,
  rejectedAttemptMac,
  sealForm,
  sealHolds,
  verifyAll,
} from './app/audit/audit-chain.util.js';
export * from './app/audit/checkpoint.util.js';
export { SnapshotDigests } from './app/audit/snapshot-digests.util.js';
export {
  DEFAULT_SCRYPT_COST,
  MIN_SCRYPT_COST,
} from './app/auth/password.util.js';
export {
  type AuditRow,
  type EpisodeRow,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  type RejectedAttemptRow,
} from './app/database/entities.js';
export {
  DEFAULT_GROUP_COMMIT_MAX,
  WriteGate,
} from './app/database/write-gate.js';
export {
  boardColumnsDiffer,
  derivedColumns,
} from './app/episodes/board-columns.util.js';
export { auditEntryFor } from './app/episodes/episodes.service.js';
export * from './app/keys/service-keys.js';
