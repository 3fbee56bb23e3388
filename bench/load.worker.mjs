// The load generator of `npm run bench:api`, in its own thread so that the
// client's work (fetch, JSON) does not share the event loop of the server it
// measures. Each client posts to its own target, in a loop, for `seconds`,
// sending the version the last answer gave as `expectedVersion`.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

const { targets, seconds, headers } = workerData;
const latencies = [];
const end = performance.now() + seconds * 1000;
let failure = null;
await Promise.all(
  targets.map(async (target) => {
    let version = target.version;
    while (performance.now() < end && failure === null) {
      const start = performance.now();
      const response = await fetch(target.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ ...target.body, expectedVersion: version }),
      });
      const json = await response.json();
      if (response.status !== 201) {
        failure = `${target.url} answered ${response.status}: ${JSON.stringify(json)}`;
        break;
      }
      version = json.version;
      latencies.push(performance.now() - start);
    }
  }),
);
parentPort.postMessage({ latencies, failure });
