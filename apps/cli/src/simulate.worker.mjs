// The entry of a simulation worker thread (`simulate --workers N`): plain
// JavaScript, so it loads in any parent (tsx, Jest, a built CLI); it
// registers the TypeScript loader, then runs the slice. A failure to load is
// posted to the parent like any other, so the parent never waits on a worker
// that is not there.
import { workerData } from 'node:worker_threads';

try {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./simulate.worker.ts');
} catch (error) {
  workerData.port.postMessage({
    kind: 'error',
    message: error instanceof Error ? error.message : String(error),
  });
  Atomics.add(workerData.signal, 0, 1);
  Atomics.notify(workerData.signal, 0);
}
