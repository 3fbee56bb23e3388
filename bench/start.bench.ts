/**
 * `npm run bench:start`: how fast the service starts and how much memory it
 * holds, run from TypeScript through tsx (as `npm start` did) against the
 * built bundle (`npm run build:api`, as `npm start` does now). Each start:
 * a new SQLite file, no demo data; ready = the first 200 from /api/health;
 * memory = the resident set of the process and its children once ready
 * (from /proc). Prints figures and ratios; asserts nothing. Target (issue
 * 19): ready in at most 1 s after the build, memory at least 30 % lower.
 *   npm run -s bench:start [-- --rounds N]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = join(import.meta.dirname, '..');
const bundle = join(root, 'dist', 'api', 'src', 'main.mjs');
const argIndex = process.argv.indexOf('--rounds');
const ROUNDS = argIndex === -1 ? 5 : Number(process.argv[argIndex + 1]);

interface Start {
  readonly readyMs: number;
  readonly rssMiB: number;
}

/** Resident set (KiB) of a process and all its descendants. */
function treeRssKiB(pid: number): number {
  const status = `/proc/${String(pid)}/status`;
  if (!existsSync(status)) return 0;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'));
  let total = Number(rss?.[1] ?? 0);
  const children = `/proc/${String(pid)}/task/${String(pid)}/children`;
  if (existsSync(children)) {
    for (const child of readFileSync(children, 'utf8').trim().split(/\s+/)) {
      if (child !== '') total += treeRssKiB(Number(child));
    }
  }
  return total;
}

async function startOnce(command: string, args: string[]): Promise<Start> {
  const dir = mkdtempSync(join(tmpdir(), 'mas-bench-start-'));
  const started = performance.now();
  const child: ChildProcess = spawn(command, args, {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      SQLITE_PATH: join(dir, 'start.sqlite'),
      KEYS_DIR: join(dir, 'keys'),
      DEMO_DATA: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const found = /Listening on (http:\/\/[^\s]+)/.exec(out);
        if (found?.[1] !== undefined) resolve(found[1]);
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.on('exit', (code) => {
        reject(new Error(`exited ${String(code)} before listening:\n${out}`));
      });
    });
    for (;;) {
      const health = await fetch(`${url}/api/health`).catch(() => null);
      if (health?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const readyMs = performance.now() - started;
    return { readyMs, rssMiB: treeRssKiB(child.pid ?? 0) / 1024 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function measure(
  label: string,
  command: string,
  args: string[],
): Promise<{ readyMs: number; rssMiB: number }> {
  const runs: Start[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    runs.push(await startOnce(command, args));
  }
  const result = {
    readyMs: median(runs.map((r) => r.readyMs)),
    rssMiB: median(runs.map((r) => r.rssMiB)),
  };
  console.log(
    `${label.padEnd(38)} ready ${result.readyMs.toFixed(0).padStart(6)} ms   resident ${result.rssMiB.toFixed(1).padStart(6)} MiB`,
  );
  return result;
}

if (!existsSync(bundle)) {
  console.error(`${bundle} is missing: run npm run build:api first`);
  process.exit(2);
}
console.log(
  `Service start, ${String(ROUNDS)} starts each, medians (Node ${process.version}, SQLite, no demo data):`,
);
const tsx = await measure(
  'TypeScript through tsx (before)',
  join(root, 'node_modules', '.bin', 'tsx'),
  ['--tsconfig', 'apps/api/tsconfig.json', 'apps/api/src/main.ts'],
);
const built = await measure('built bundle (npm start now)', process.execPath, [
  '--enable-source-maps',
  bundle,
]);
const lower = 1 - built.rssMiB / tsx.rssMiB;
console.log(
  `ready: ${(built.readyMs / 1000).toFixed(2)} s (target <= 1 s: ${built.readyMs <= 1000 ? 'met' : 'NOT met'}), ${(tsx.readyMs / built.readyMs).toFixed(1)}x faster than before`,
);
console.log(
  `memory: ${(lower * 100).toFixed(0)} % lower (target >= 30 %: ${lower >= 0.3 ? 'met' : 'NOT met'})`,
);
