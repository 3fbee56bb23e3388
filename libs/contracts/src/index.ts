export * from './lib/episode-event.schema.js';
export * from './lib/escalation-filter.schema.js';
export * from './lib/list-query.schema.js';
export * from './lib/parse.util.js';
export * from './lib/patient.schema.js';
export * from './lib/work-item.schema.js';
