/**
 * `npm run bench:sim`: simulated courses per second (virtual patient, policy
 * and the care-episode machine run as an actor), and, in the same run, a bare
 * loop of the same machine's actors sent the same events without the patient
 * model or the policy; the ratio. One thread: the figures are per core.
 * Then the multi-core batch (`simulate --workers N`): the same batch in this
 * thread, on one worker thread and on N (default 2), its throughput, the
 * scaling and whether the results are the same (they must be).
 * Prints figures; asserts nothing. Model output, never evidence.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';

import { createActor } from 'xstate';

import { runBatchOnWorkers } from '@mas/cli';
import { masEpisodeMachine } from '@mas/mas-episode';
import {
  type CourseResult,
  courseSeed,
  policies,
  runBatch,
  simulateCourse,
} from '@mas/mas-episode/simulation';
import { scenarios } from '@mas/simulation';

import { exampleProfile } from './example-profile.js';

const profile = exampleProfile();
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
/** Courses per scenario of the multi-core batch. */
const RUNS = Number(process.env['BENCH_RUNS'] ?? 100);
const WORKERS = Number(process.env['BENCH_WORKERS'] ?? 2);

function simulateFor(seconds: number): {
  courses: CourseResult[];
  rate: number;
} {
  const courses: CourseResult[] = [];
  const start = performance.now();
  let i = 0;
  while (performance.now() - start < seconds * 1000) {
    const scenario = scenarios[i % scenarios.length];
    if (!scenario) break;
    courses.push(
      simulateCourse({
        scenario,
        policy: policies.protocol,
        seed: courseSeed(1, i),
        profile,
      }),
    );
    i += 1;
  }
  return {
    courses,
    rate: courses.length / ((performance.now() - start) / 1000),
  };
}

/**
 * Replays each recorded course once through a fresh actor. The events are
 * deep copies made before the clock starts: the machine caches the analysis
 * of a lab panel per object, and replaying the simulation's own objects
 * would measure cache hits.
 */
function bareOnce(courses: readonly CourseResult[]): number {
  const copies = courses.map((course) => ({
    patient:
      scenarios.find((s) => s.id === course.scenarioId)?.patient ??
      scenarios[0]?.patient,
    events: structuredClone(course.events),
  }));
  const start = performance.now();
  for (const [index, copy] of copies.entries()) {
    if (!copy.patient) continue;
    const actor = createActor(masEpisodeMachine, {
      input: {
        episodeId: `bare-${index}`,
        patient: copy.patient,
        openedAt: '2026-03-01T08:00:00.000Z',
        initialStage: 'suspected',
        profile,
      },
    });
    actor.start();
    for (const event of copy.events) actor.send(event);
    actor.stop();
  }
  return copies.length / ((performance.now() - start) / 1000);
}

// Warm up both paths, then measure.
const warm = simulateFor(1).courses;
bareOnce(warm);
const sim = simulateFor(SECONDS);
const bare = bareOnce(sim.courses);
const events =
  sim.courses.reduce((sum, c) => sum + c.events.length, 0) / sim.courses.length;
console.log(
  `Simulated courses (MODEL OUTPUT), all ${scenarios.length} scenarios, protocol policy, ${SECONDS} s each, one thread`,
);
console.log(
  `simulation: ${sim.rate.toFixed(0)} courses/s = ${(sim.rate * 60).toFixed(0)} courses/min per core (target >= 40,000/min); ${events.toFixed(0)} events per course`,
);
console.log(
  `bare machine actors, the same events (fresh copies) replayed once each, no patient model or policy: ${bare.toFixed(0)} courses/s`,
);
console.log(
  `ratio simulation/bare: ${(sim.rate / bare).toFixed(2)} (target >= 0.8)`,
);

// The multi-core batch: the same courses in this thread, on 1 worker, on N.
const plan = {
  scenarios,
  policy: policies.protocol,
  runs: RUNS,
  seed: 11,
  profile,
};
const total = scenarios.length * RUNS;
const timed = <T>(run: () => T): { value: T; seconds: number } => {
  const start = performance.now();
  const value = run();
  return { value, seconds: (performance.now() - start) / 1000 };
};
const inThread = timed(() => runBatch(plan));
const onWorkers = (workers: number) =>
  timed(() =>
    runBatchOnWorkers({
      scenarioIds: scenarios.map((s) => s.id),
      policyId: plan.policy.id,
      runs: RUNS,
      seed: plan.seed,
      profile,
      workers,
    }),
  );
const one = onWorkers(1);
const many = onWorkers(WORKERS);
const same = (a: unknown, b: unknown) =>
  JSON.stringify(a) === JSON.stringify(b);
const perMinute = (seconds: number) => ((total / seconds) * 60).toFixed(0);
console.log(
  `\nMulti-core batch: ${String(total)} courses (${String(RUNS)} per scenario), ${String(availableParallelism())} cores here; each figure includes starting its threads`,
);
console.log(
  `in this thread: ${inThread.seconds.toFixed(2)} s = ${perMinute(inThread.seconds)} courses/min`,
);
console.log(
  `1 worker:  ${one.seconds.toFixed(2)} s = ${perMinute(one.seconds)} courses/min`,
);
console.log(
  `${String(WORKERS)} workers: ${many.seconds.toFixed(2)} s = ${perMinute(many.seconds)} courses/min`,
);
console.log(
  `scaling ${String(WORKERS)} workers / 1 worker: ${(one.seconds / many.seconds).toFixed(2)} (target >= 1.8 on 2 cores); against this thread: ${(inThread.seconds / many.seconds).toFixed(2)}`,
);
console.log(
  `same results (rows and summary) in this thread, on 1 worker and on ${String(WORKERS)}: ${same(inThread.value, one.value) && same(inThread.value, many.value) ? 'yes' : 'NO'}`,
);
