export * from './lib/model.parameters.js';
export * from './lib/random.js';
export * from './lib/scenario.schema.js';
export * from './lib/virtual-patient.js';
export * from './scenarios/index.js';
