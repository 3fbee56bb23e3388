/**
 * `cli protocol check-migration FROM TO [--plan FILE]`: a migration plan
 * read and checked for its shape, and the model checker's proof of it in
 * words (issue 18).
 */
import { z } from 'zod';

import type { EpisodeEvent } from '@mas/contracts';
import type { MigrationPlan } from '@mas/mas-episode';
import type { MigrationProof } from '@mas/mas-episode/verify';
import { ClinicalInputError } from '@mas/protocol';

const planSchema = z
  .object({
    from: z.string().min(1),
    to: z.string().min(1),
    summary: z.string().min(1),
    states: z.record(z.string().min(1), z.string().min(1)),
    context: z
      .object({
        carry: z.literal('all'),
        recomputedAtNext: z.array(z.string().min(1)),
      })
      .strict(),
    evidence: z.array(z.string().min(1)),
  })
  .strict();

/** A plan from a file: its shape checked, and the pair it names. */
export function parseMigrationPlan(
  value: unknown,
  from: string,
  to: string,
): MigrationPlan {
  const parsed = planSchema.safeParse(value);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = issue?.path.map(String).join('.') ?? '';
    throw new ClinicalInputError(
      `plan${path ? `.${path}` : ''}`,
      issue?.message ?? 'is not a migration plan',
    );
  }
  if (parsed.data.from !== from || parsed.data.to !== to) {
    throw new ClinicalInputError(
      'plan',
      `leads from ${parsed.data.from} to ${parsed.data.to}, not from ${from} to ${to}`,
    );
  }
  return parsed.data;
}

function eventLine(event: EpisodeEvent, index: number): string {
  const payload = event.payload as Record<string, unknown>;
  const detail = ['drug', 'kind', 'trigger', 'topic', 'basis', 'toVersion']
    .filter((field) => field in payload)
    .map((field) => String(payload[field]))
    .join(' ');
  return `  ${String(index + 1).padStart(3)}. ${event.at} ${event.type}${detail ? ` ${detail}` : ''} (${event.actor.id})`;
}

/** The proof as text. */
export function formatMigrationProof(proof: MigrationProof): string {
  const lines = [
    `Migration plan ${proof.plan.from} -> ${proof.plan.to} (${proof.plan.hash}): ${proof.verdict.toUpperCase()}`,
    '(decision support, not a medical device)',
    '',
  ];
  if (proof.problems.length > 0) {
    lines.push(
      'The state map is unsound as written:',
      ...proof.problems.map((problem) => `  - ${problem}`),
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    `Slices explored (the proof covers these only): ${proof.slices.join('; ')}`,
    `${proof.statesNew} states reached under ${proof.plan.to} by itself; ${proof.statesMigrating} explored under ${proof.plan.from} with the move offered in every open state; ${proof.migrated} distinct states right after a move.`,
  );
  if (proof.unreachable) {
    lines.push(
      '',
      `M1 FAILS: a migrated episode is in a state ${proof.plan.to} never reaches by itself (slice "${proof.unreachable.slice}", opened ${proof.unreachable.initialStage}):`,
      ...proof.unreachable.events.map(eventLine),
    );
  }
  if (proof.violation) {
    lines.push(
      '',
      `FAILS ${proof.violation.property} (${proof.violation.where}): ${proof.violation.name}`,
      `  after these events (slice "${proof.violation.slice}", opened ${proof.violation.initialStage}):`,
      ...proof.violation.events.map(eventLine),
    );
  }
  lines.push(
    '',
    ...proof.properties.map(
      (p) =>
        `  ${p.status.toUpperCase().padEnd(12)} ${p.id} (premise held right after a move ${p.applicableAfterMove} times, in ${proof.plan.to} alone ${p.applicableNew})`,
    ),
  );
  return `${lines.join('\n')}\n`;
}
