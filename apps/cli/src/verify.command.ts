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
    'slice                      letters   states  transitions  complete',
  ];
  for (const run of result.slices) {
    lines.push(
      `${run.slice.padEnd(26)} ${String(run.letters).padStart(7)} ${String(run.states).padStart(8)} ${String(run.transitions).padStart(12)}  ${run.complete ? 'yes' : `no (limit ${result.limitPerSlice} states)`}`,
    );
  }
  lines.push(
    `${'total'.padEnd(26)} ${''.padStart(7)} ${String(result.states).padStart(8)} ${String(result.transitions).padStart(12)}`,
    '',
  );
  for (const property of result.results) {
    lines.push(
      `${property.status.toUpperCase().padEnd(12)} ${property.id}  ${property.name}`,
      `${''.padEnd(12)}      protects: ${property.protects.join(', ')}; explored ${result.states} states, ${result.transitions} transitions`,
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
    failing.length === 0
      ? `All ${result.results.length} properties hold on every explored state.`
      : `${failing.length} of ${result.results.length} properties do not hold or are inconclusive: ${failing.map((r) => `${r.id} ${r.status}`).join(', ')}.`,
  );
  return `${lines.join('\n')}\n`;
}

export function runVerification(
  profile: InstitutionProfile,
  limit: number | undefined,
): { output: EpisodeVerification; ok: boolean } {
  const output = verifyEpisodeMachine(
    profile,
    limit === undefined ? {} : { limit },
  );
  return { output, ok: output.results.every((r) => r.status === 'holds') };
}
