import type { EpisodeEvent } from '@mas/contracts';
import {
  type EpisodeVerification,
  verifyEpisodeMachine,
} from '@mas/mas-episode/verify';
import type { InstitutionProfile } from '@mas/protocol';

function describeEvent(event: EpisodeEvent): string {
  const payload = event.payload as Record<string, unknown>;
  const detail = ['drug', 'kind', 'trigger', 'topic', 'basis', 'reason']
    .filter((field) => field in payload)
    .map((field) => String(payload[field]))
    .join(' ');
  const extras = [
    payload['emergency'] === true ? 'emergency' : '',
    event.rationale ? 'with rationale' : '',
    `by ${event.actor.id} (${event.actor.role})`,
    `at ${event.at}`,
  ].filter(Boolean);
  return `${event.type}${detail ? ` ${detail}` : ''} [${extras.join(', ')}]`;
}

/** The model checker's report, as text. */
export function formatVerification(result: EpisodeVerification): string {
  const lines: string[] = [
    'Model checking the care-episode machine (decision support, not a medical device)',
    '',
    'slice                                  letters   states  transitions  complete  soundness (compared / parted)',
  ];
  for (const run of result.slices) {
    lines.push(
      `${run.slice.padEnd(38)} ${String(run.letters).padStart(7)} ${String(run.states).padStart(8)} ${String(run.transitions).padStart(12)}  ${(run.complete ? 'yes' : `no (limit ${result.limitPerSlice} states)`).padEnd(8)}  ${run.compared} / ${run.diverged}`,
    );
  }
  lines.push(
    `${'total'.padEnd(38)} ${''.padStart(7)} ${String(result.states).padStart(8)} ${String(result.transitions).padStart(12)}`,
    '',
  );
  if (result.unsound) {
    lines.push(
      `UNSOUND KEY  in slice "${result.unsound.slice}": two paths reach one key and part on "${result.unsound.letter}":`,
      ...result.unsound.first.map(
        (event, index) =>
          `               a${index + 1}. ${describeEvent(event)}`,
      ),
      ...result.unsound.second.map(
        (event, index) =>
          `               b${index + 1}. ${describeEvent(event)}`,
      ),
      '',
    );
  }
  for (const property of result.results) {
    const where = property.name.length > 0 ? property.name : property.id;
    lines.push(
      `${property.status.toUpperCase().padEnd(12)} ${property.id}  ${where}`,
      `${''.padEnd(12)}      protects: ${property.protects.join(', ')}; evaluated on ${property.evaluated} states/transitions, its premise held on ${property.applicable}${property.status === 'vacuous' ? ' (never able to fail: VACUOUS)' : ''}`,
    );
    if (property.counterexample) {
      lines.push(
        `${''.padEnd(12)}      shortest counterexample (slice "${property.counterexample.slice}", episode opened ${property.counterexample.initialStage}):`,
        ...property.counterexample.events.map(
          (event, index) =>
            `${''.padEnd(12)}        ${index + 1}. ${describeEvent(event)}`,
        ),
      );
    }
  }
  const failing = result.results.filter((r) => r.status !== 'holds');
  lines.push(
    '',
    failing.length === 0 && !result.unsound
      ? `All ${result.results.length} properties hold on every explored state, and each could have failed (none vacuous).`
      : `${failing.length} of ${result.results.length} properties do not hold, are vacuous or inconclusive: ${failing.map((r) => `${r.id} ${r.status}`).join(', ')}${result.unsound ? '; the state key is unsound' : ''}.`,
  );
  return `${lines.join('\n')}\n`;
}

export function runVerification(
  profile: InstitutionProfile,
  limit: number | undefined,
  soundnessEvery?: number,
): { output: EpisodeVerification; ok: boolean } {
  const output = verifyEpisodeMachine(profile, {
    ...(limit === undefined ? {} : { limit }),
    ...(soundnessEvery === undefined ? {} : { soundnessEvery }),
  });
  return {
    output,
    ok:
      output.unsound === undefined &&
      output.results.every((r) => r.status === 'holds'),
  };
}
