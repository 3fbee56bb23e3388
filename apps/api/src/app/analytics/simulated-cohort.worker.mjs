// The entry of a simulated cohort's worker thread when the service runs from
// its TypeScript sources (the test suites, `npm run dev`): plain JavaScript,
// so it loads in any parent; it registers the TypeScript loader, then runs
// the worker. The built service (`npm run build:api`) has the worker bundled
// beside main.mjs under the same name, and never loads this file. A failure
// to load is posted to the service like any other.
import { parentPort } from 'node:worker_threads';

try {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./simulated-cohort.worker.ts');
} catch (error) {
  parentPort?.postMessage({
    kind: 'error',
    message: error instanceof Error ? error.message : String(error),
  });
}
