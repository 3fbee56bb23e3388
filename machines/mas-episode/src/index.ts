export * from './lib/machine-coverage.js';
export * from './lib/mas-episode.alerts.js';
export * from './lib/mas-episode.checks.js';
export * from './lib/mas-episode.explain.js';
export * from './lib/mas-episode.machine.js';
export * from './lib/mas-episode.persistence.js';
export * from './lib/mas-episode.reducer.js';
export * from './lib/mas-episode.types.js';
