export * from './episode-facts.js';
export * from './quality-indicators.csv.js';
export * from './quality-indicators.js';
export * from './quantile.util.js';
