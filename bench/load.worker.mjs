// The load generator of `npm run bench:api`, in its own thread so that the
// client's work does not share the event loop of the server it measures.
// Each client posts to its own target, in a loop, for `seconds`, sending the
// version the last answer gave as `expectedVersion`. node:http with one
// kept-alive connection per client (fetch's pool opened new connections
// under load, and a new connection now and then waited about a second).
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

const { targets, seconds, headers } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: targets.length });
const latencies = [];
const end = performance.now() + seconds * 1000;
let failure = null;
let connections = 0;

function post(url, body) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const outgoing = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode, json: JSON.parse(text) });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('socket', (socket) => {
      if (!socket.counted) {
        socket.counted = true;
        connections += 1;
      }
    });
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

await Promise.all(
  targets.map(async (target) => {
    let version = target.version;
    while (performance.now() < end && failure === null) {
      const start = performance.now();
      const { status, json } = await post(target.url, {
        ...target.body,
        expectedVersion: version,
      });
      if (status !== 201) {
        failure = `${target.url} answered ${status}: ${JSON.stringify(json)}`;
        break;
      }
      version = json.version;
      latencies.push(performance.now() - start);
    }
  }),
);
agent.destroy();
parentPort.postMessage({ latencies, failure, connections });
