export * from './batch.js';
export * from './course.js';
export * from './debrief.js';
export * from './policies.js';
export * from './simulated-quality.js';
