export * from './lib/history-steps.js';
export * from './lib/machine-coverage.js';
export * from './lib/mas-episode.alerts.js';
export * from './lib/mas-episode.checks.js';
export * from './lib/mas-episode.explain.js';
export * from './lib/mas-episode.machine.js';
export * from './lib/mas-episode.migration.js';
export * from './lib/mas-episode.persistence.js';
export * from './lib/mas-episode.recording.js';
export * from './lib/mas-episode.reducer.js';
export * from './lib/mas-episode.types.js';
export {
  measuredByOf,
  measureTooOld,
  staleMeasuresWarning,
} from './lib/measures.util.js';
export * from './lib/migration-plans.js';
export * from './lib/next-steps.js';
export * from './lib/prescription.util.js';
export { checkProfileForEpisode } from './lib/profile-values.util.js';
export * from './lib/therapy-record.util.js';
