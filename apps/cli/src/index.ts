// What other projects may use of the CLI (the benchmarks): the batch on
// worker threads.
export * from './simulate-workers.js';
