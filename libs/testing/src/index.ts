export * from './lib/panels.js';
export * from './lib/patients.js';
