import { findMigrationPlan } from '@mas/mas-episode';
import { checkMigrationPlan, slices } from '@mas/mas-episode/verify';
import {
  assessResponse,
  calculateDose,
  ClinicalInputError,
  evidenceCatalog,
  type InstitutionProfile,
  institutionProfileJsonSchema,
  masProtocol,
  parseInstitutionProfile,
  profileStamp,
  scoreFerritinEsr,
  scoreHlh2004,
  scoreHScore,
  scoreMas2016,
  scoreMsScore,
} from '@mas/protocol';

import { calibrate, formatCalibration } from './calibrate.command.js';
import {
  formatMigrationProof,
  parseMigrationPlan,
} from './migration.command.js';
import {
  formatProtocolDiff,
  protocolDiff,
  protocolVersionList,
} from './protocol.command.js';
import { replay } from './replay.command.js';
import { formatSummary, simulate } from './simulate.command.js';
import {
  buildTrace,
  formatTrace,
  readCoverage,
  traceProblems,
} from './trace.command.js';
import { formatVerification, runVerification } from './verify.command.js';

/** What the CLI needs from the outside world, injected for tests. */
export interface CliIo {
  readonly stdin: () => string;
  readonly readFile: (path: string) => string;
  /** Path of the example profile shipped with the software. */
  readonly defaultProfilePath: string;
  /** The workspace root (the trace reads the code and the specs). */
  readonly workspaceRoot: string;
  /** Writes an output file (simulate's JSON and CSV). */
  readonly writeFile?: (path: string, text: string) => void;
  /** Whether stderr is a terminal (simulate's progress bar). */
  readonly stderrIsTty?: boolean;
}

export interface CliOutcome {
  readonly code: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

export const DISCLAIMER =
  'Decision support for clinicians, not a medical device: every result must be checked by the treating team.';

const scores = {
  hscore: scoreHScore,
  mas2016: scoreMas2016,
  hlh2004: scoreHlh2004,
  msscore: scoreMsScore,
  'ferritin-esr': scoreFerritinEsr,
} as const;

export const HELP = `mas — MAS care-episode orchestrator, command line
${DISCLAIMER}

Usage: npm run -s cli -- <command> [--profile FILE]
JSON on stdin, JSON on stdout. A JSON array in gives an array of results out.
Bad input: exit 2 and one line on stderr naming the field and the rule.

Commands
  score hscore         HScore (Fardet 2014): score, probability row or band, 169 cut-off
  score mas2016        2016 EULAR/ACR/PRINTO MAS classification
  score hlh2004        HLH-2004 criteria (5 of 8, or molecular diagnosis)
  score msscore        MS score (MAS vs active sJIA)
  score ferritin-esr   ferritin/ESR ratio
  dose <drug>          { "weightKg", "heightCm"?, "mgPerKg"?, "mgPerM2"?, "route"?, "phase"? }
                       drugs: methylprednisolone dexamethasone ciclosporin anakinra
                       emapalumab ruxolitinib baricitinib etoposide rituximab tocilizumab
  response             { "baseline": panel, "current": panel } -> responding / inadequate / worsening
  replay               { "patient", "events": [...], "openedAt"?, "initialStage"? } through the
                       care-episode statechart (or an array of courses: an array of answers):
                       final state, stage, tags, alerts, allowed and blocked events, doses
                       as given; a rejected event is exit 2 naming it and why
  verify [--limit N] [--json]
                       model-check the care-episode machine: every safety property on
                       every reachable state (exit 1 if one fails or is inconclusive)
  trace [--json] [--check]
                       each seed statement with the machine elements that implement it
                       and the tests that name it in their own title (a describe title
                       does not count); coverage of states and transitions; --check:
                       exit 1 if a statement has no test of its own (or no element)
                       without a recorded reason
  audit verify [--database FILE|URL] [--checkpoint FILE] [--replay] [--json]
                       the service's audit checked from outside it: every entry authenticated
                       with the audit key (AUDIT_KEY or KEYS_DIR/audit-key), every chain
                       against its episode, the protocol content the records ran under
                       against the pinned releases (not pinned: marked "!", not a problem),
                       and what changed since a signed checkpoint kept
                       from GET /api/audit/checkpoint (exit 1 if anything is wrong, each named)
  backup --to FILE [--database FILE]
                       a consistent copy of the embedded database while the service runs
  restore --from FILE [--database FILE] [--force]
                       the database replaced by a backup, checked whole, its audit verified
  evidence             the evidence catalog (the seed's 30 statements and the sources)
  protocol             the protocol definition with its version and hash
  protocol versions    the protocol versions this build knows: deployed (episodes run under
                       them, side by side) and candidates drafted for review, each with its hash
  protocol check-migration FROM TO [--plan FILE] [--slice NAME] [--limit N] [--json]
                       the model checker's proof of the migration plan FROM -> TO (the shipped
                       one, or one in FILE): every migrated state reachable under TO, no
                       safety property of TO violated after the move; exit 1 with a
                       counterexample when the plan is refused
  protocol diff FROM TO [--json]
                       what TO changes against FROM, in clinical words: each threshold,
                       dose, rule or list item added, removed or changed, with its evidence,
                       and the evidence entries added, removed or reworded
  profile [--schema]   the institution profile in use and its hash (or its JSON Schema)
  simulate --scenario <id|all> [--runs N] [--seed S] [--policy P] [--out DIR] [--workers N]
                       simulated courses of virtual patients (MODEL OUTPUT, never evidence):
                       a summary table (outcomes, hours to first glucocorticoid, to first
                       targeted therapy, to response, to remission, escalations, alerts,
                       toxicities, debrief score); JSON and CSV written to DIR
                       (default reports/simulation); a progress bar when stderr is a terminal;
                       --workers N: N threads (1 to the cores, at most 64), the same result
                       policies: protocol delay no-antimicrobials no-dexamethasone-considered
                       late-escalation over-escalation ignores-results
  calibrate [--seed S] [--batches N] [--runs N]
                       fit the virtual patient's death hazard to the published 8% sJIA-MAS
                       mortality (MODEL OUTPUT): the bisection's steps, the fitted value, the
                       mean mortality and its interval over independent batches, and whether
                       the model parameter file's value matches (exit 1 if outside the
                       interval); defaults: the fit's batches in the model parameter file
  help                 this text

Options
  --profile FILE       institution profile (default: the EXAMPLE profile, not clinical guidance)

A panel: findings as booleans (febrile, sjiaKnownOrSuspected, hepatomegaly, splenomegaly,
cnsInvolvement, hemorrhage, activeArthritis, knownImmunosuppression, hemophagocytosis,
nkActivityLowOrAbsent, onTocilizumab, molecularHlhDiagnosis), temperatureC, ageDays,
explainedOtherwise (2016 criteria ids), and quantities { "value": n, "unit": "<UCUM>" }
for ferritin platelets leukocytes neutrophils hemoglobin ast alt ldh triglycerides
fibrinogen sCD25 esr crp dDimer creatinine bilirubin.
`;

class UsageError extends Error {}

interface Options {
  readonly positional: readonly string[];
  readonly values: Readonly<Record<string, string>>;
  readonly profilePath?: string;
  readonly schema: boolean;
  readonly json: boolean;
  readonly check: boolean;
  readonly limit?: number;
}

function parseArgs(argv: readonly string[]): Options {
  const positional: string[] = [];
  let profilePath: string | undefined;
  let schema = false;
  let json = false;
  let check = false;
  let limit: number | undefined;
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const valued = [
      '--scenario',
      '--runs',
      '--seed',
      '--policy',
      '--out',
      '--batches',
      '--workers',
      '--plan',
      '--slice',
    ];
    if (valued.includes(arg)) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new UsageError(`${arg} needs a value`);
      }
      values[arg.slice(2)] = value;
      i += 1;
    } else if (arg === '--profile') {
      profilePath = argv[i + 1];
      if (profilePath === undefined) {
        throw new UsageError('--profile needs a file path');
      }
      i += 1;
    } else if (arg.startsWith('--profile=')) {
      profilePath = arg.slice('--profile='.length);
    } else if (arg === '--schema') {
      schema = true;
    } else if (arg === '--json') {
      json = true;
    } else if (arg === '--check') {
      check = true;
    } else if (arg === '--limit') {
      limit = Number(argv[i + 1]);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new UsageError('--limit needs a positive whole number of states');
      }
      i += 1;
    } else if (arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  return {
    positional,
    values,
    schema,
    json,
    check,
    ...(limit === undefined ? {} : { limit }),
    ...(profilePath === undefined ? {} : { profilePath }),
  };
}

function readJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ClinicalInputError(
      what,
      `is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/** Applies `fn` to one input or to each element of an array, in order. */
function eachInput(input: unknown, fn: (item: unknown) => unknown): unknown {
  if (!Array.isArray(input)) return fn(input);
  return input.map((item: unknown, index) => {
    try {
      return fn(item);
    } catch (error) {
      throw error instanceof ClinicalInputError
        ? error.under(`[${index}]`)
        : error;
    }
  });
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ClinicalInputError(what, 'must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Runs one CLI command. Never throws: bad input is exit 2. */
export function runCli(argv: readonly string[], io: CliIo): CliOutcome {
  try {
    const options = parseArgs(argv);
    if (options.positional[0] === 'verify') {
      const profile = loadProfile(options, io);
      const { output, ok } = runVerification(profile, options.limit);
      return {
        code: ok ? 0 : 1,
        stdout: options.json ? json(output) : formatVerification(output),
        stderr: '',
      };
    }
    if (options.positional[0] === 'simulate') {
      return runSimulate(options, io);
    }
    if (
      options.positional[0] === 'protocol' &&
      options.positional[1] === 'check-migration'
    ) {
      return runCheckMigration(options, io);
    }
    if (options.positional[0] === 'calibrate') {
      return runCalibrate(options, io);
    }
    if (options.positional[0] === 'trace') {
      return runTrace(options, io);
    }
    return { code: 0, stdout: execute(options, io), stderr: '' };
  } catch (error) {
    if (error instanceof ClinicalInputError || error instanceof UsageError) {
      return {
        code: 2,
        stdout: '',
        stderr: `error: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`,
      };
    }
    const message =
      error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { code: 1, stdout: '', stderr: `internal error: ${message}\n` };
  }
}

function runTrace(options: Options, io: CliIo): CliOutcome {
  const entries = buildTrace(io.workspaceRoot);
  const problems = options.check ? traceProblems(entries) : [];
  return {
    code: problems.length > 0 ? 1 : 0,
    stdout: options.json
      ? json(entries)
      : formatTrace(entries, readCoverage(io.workspaceRoot)),
    stderr: problems.map((problem) => `trace: ${problem}\n`).join(''),
  };
}

function runSimulate(options: Options, io: CliIo): CliOutcome {
  const scenario = options.values['scenario'];
  if (scenario === undefined) {
    throw new UsageError('simulate needs --scenario <id|all>');
  }
  const seed = Number(options.values['seed'] ?? '1');
  const runs = Number(options.values['runs'] ?? '100');
  const policy = options.values['policy'] ?? 'protocol';
  const workers = Number(options.values['workers'] ?? '1');
  const { result, csv } = simulate(
    { scenario, runs, seed, policy, workers },
    loadProfile(options, io),
    io.stderrIsTty === true,
  );
  const out = options.values['out'] ?? 'reports/simulation';
  const base = `${out}/simulation-${scenario}-${policy}-seed${seed}-runs${runs}`;
  const written: string[] = [];
  if (io.writeFile) {
    io.writeFile(`${base}.json`, json(result));
    io.writeFile(`${base}.csv`, `${csv}\n`);
    written.push(`${base}.json`, `${base}.csv`);
  }
  return {
    code: 0,
    stdout: `${formatSummary(result)}${written.length > 0 ? `wrote ${written.join(' and ')}\n` : ''}`,
    stderr: '',
  };
}

/**
 * `protocol check-migration FROM TO [--plan FILE] [--slice NAME]`: the model
 * checker's proof of the plan (the shipped one for the pair, or one in a
 * file); exit 1 with a counterexample when it is refused.
 */
function runCheckMigration(options: Options, io: CliIo): CliOutcome {
  const [, , from, to] = options.positional;
  if (from === undefined || to === undefined) {
    throw new UsageError('protocol check-migration needs FROM and TO versions');
  }
  const file = options.values['plan'];
  const plan =
    file === undefined
      ? findMigrationPlan(from, to)
      : parseMigrationPlan(readJsonFile(io, file, '--plan'), from, to);
  if (plan === undefined) {
    throw new ClinicalInputError(
      'plan',
      `no migration plan from ${from} to ${to} is shipped (give one with --plan FILE)`,
    );
  }
  const sliceName = options.values['slice'];
  const chosen =
    sliceName === undefined
      ? undefined
      : slices.filter((s) => s.name === sliceName);
  if (chosen?.length === 0) {
    throw new UsageError(
      `--slice must be one of: ${slices.map((s) => s.name).join('; ')}`,
    );
  }
  const proof = checkMigrationPlan(plan, loadProfile(options, io), {
    ...(chosen ? { slices: chosen } : {}),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
  return {
    code: proof.verdict === 'proven' ? 0 : 1,
    stdout: options.json ? json(proof) : formatMigrationProof(proof),
    stderr: '',
  };
}

function readJsonFile(io: CliIo, path: string, field: string): unknown {
  let text: string;
  try {
    text = io.readFile(path);
  } catch {
    throw new ClinicalInputError(field, `cannot read ${path}`);
  }
  return readJson(text, field);
}

function runCalibrate(options: Options, io: CliIo): CliOutcome {
  const number = (flag: string) =>
    options.values[flag] === undefined
      ? undefined
      : Number(options.values[flag]);
  const seed = number('seed');
  const batches = number('batches');
  const runs = number('runs');
  const result = calibrate(
    {
      ...(seed === undefined ? {} : { seed }),
      ...(batches === undefined ? {} : { batches }),
      ...(runs === undefined ? {} : { runs }),
    },
    loadProfile(options, io),
    // The steps as they are done, when someone is watching.
    io.stderrIsTty === true ? (line) => process.stderr.write(line) : undefined,
  );
  return {
    code: result.model.verdict === 'outside the interval' ? 1 : 0,
    stdout: formatCalibration(result),
    stderr: '',
  };
}

function loadProfile(options: Options, io: CliIo): InstitutionProfile {
  const path = options.profilePath ?? io.defaultProfilePath;
  let text: string;
  try {
    text = io.readFile(path);
  } catch {
    throw new ClinicalInputError('--profile', `cannot read ${path}`);
  }
  return parseInstitutionProfile(readJson(text, `profile ${path}`));
}

function execute(options: Options, io: CliIo): string {
  const [command, subject] = options.positional;
  let cachedProfile: InstitutionProfile | undefined;
  const profile = (): InstitutionProfile => {
    cachedProfile ??= loadProfile(options, io);
    return cachedProfile;
  };
  const stdinJson = (): unknown => readJson(io.stdin(), 'stdin');

  switch (command) {
    case undefined:
    case 'help':
      return HELP;
    case 'score': {
      const scorer =
        subject !== undefined && subject in scores
          ? scores[subject as keyof typeof scores]
          : undefined;
      if (!scorer) {
        throw new UsageError(
          `score needs one of: ${Object.keys(scores).join(', ')}`,
        );
      }
      return json(
        eachInput(stdinJson(), (item) => scorer(asObject(item, 'panel'))),
      );
    }
    case 'dose': {
      if (subject === undefined) throw new UsageError('dose needs a drug name');
      return json(
        eachInput(stdinJson(), (item) =>
          calculateDose(subject, asObject(item, 'request'), profile()),
        ),
      );
    }
    case 'response':
      return json(
        eachInput(stdinJson(), (item) => {
          const pair = asObject(item, 'input');
          return assessResponse(
            asObject(pair['baseline'], 'baseline'),
            asObject(pair['current'], 'current'),
            profile(),
          );
        }),
      );
    case 'replay':
      return json(eachInput(stdinJson(), (item) => replay(item, profile())));
    case 'evidence':
      return json(evidenceCatalog);
    case 'protocol':
      if (subject === 'versions') return json(protocolVersionList());
      if (subject === 'diff') {
        const [, , from, to] = options.positional;
        const { diff, to: target } = protocolDiff(from, to);
        return options.json ? json(diff) : formatProtocolDiff(diff, target);
      }
      if (subject !== undefined) {
        throw new UsageError(
          `unknown protocol command "${subject}" (try: protocol, protocol versions, protocol diff FROM TO, protocol check-migration FROM TO)`,
        );
      }
      return json({
        id: masProtocol.id,
        version: masProtocol.version,
        hash: masProtocol.hash,
        definition: masProtocol.definition,
      });
    case 'profile':
      if (options.schema) return json(institutionProfileJsonSchema());
      return json({ ...profileStamp(profile()), data: profile().data });
    default:
      throw new UsageError(`unknown command "${command}" (try: help)`);
  }
}
