/** What the end-to-end suites start: the real service, with an injected clock. */
export * from './app/bootstrap.js';
export * from './app/clock/clock.js';
export * from './app/config/configuration.js';
