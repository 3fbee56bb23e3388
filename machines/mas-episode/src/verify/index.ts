export * from './episode-alphabet.js';
export * from './episode-properties.js';
export * from './model-checker.js';
export * from './verify-episode.js';
export * from './verify-migration.js';
