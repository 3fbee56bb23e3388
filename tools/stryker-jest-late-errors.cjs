// Jest setup for the mutation runs only (stryker.config.mjs, setupFilesAfterEnv).
//
// XState reports an error nobody subscribed to by throwing it from a
// setTimeout callback (reportUnhandledError). A mutant that breaks the
// machine's context therefore throws *after* the test that caused it. Under
// `npm test` Jest reports that as a failure; inside Stryker's test runner
// process it is an uncaught exception that kills the process, which Stryker
// then retries twice and reports as a runtime error (outside the score), and
// now and then loses the whole run. Here such an error is kept and fails the
// test during or after which it was thrown: the mutant counts as killed, as
// it would be by the real test run.
'use strict';

const realSetTimeout = globalThis.setTimeout;
const lateErrors = [];

function setTimeoutKeepingErrors(callback, ...rest) {
  if (typeof callback !== 'function') return realSetTimeout(callback, ...rest);
  return realSetTimeout(
    function (...args) {
      try {
        return callback.apply(this, args);
      } catch (error) {
        lateErrors.push(error);
        return undefined;
      }
    },
    ...rest,
  );
}
Object.assign(setTimeoutKeepingErrors, realSetTimeout);
globalThis.setTimeout = setTimeoutKeepingErrors;

async function failOnLateErrors() {
  // Let zero-delay timers queued by the test run first.
  await new Promise((resolve) => realSetTimeout(resolve, 0));
  const error = lateErrors.shift();
  lateErrors.length = 0;
  if (error !== undefined) throw error;
}

afterEach(failOnLateErrors);
afterAll(failOnLateErrors);
