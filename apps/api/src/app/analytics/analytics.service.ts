import type { KeyObject } from 'node:crypto';

import { type DataSource, In } from 'typeorm';

import {
  effectiveEntries,
  type EpisodeEvent,
  type QualityQuery,
  type QualityReport,
  type SimulatedQuality,
  type SimulatedQualityQuery,
} from '@mas/contracts';
import {
  analyseEpisode,
  type EpisodeAnalysis,
  type IndicatorId,
  indicatorIds,
  type IndicatorResult,
  indicatorsOf,
  type KeptQuality,
  keptQualityAt,
  type QualityEpisodeInput,
  type QualityIndicators,
  replayKeptQuality,
} from '@mas/mas-episode/analytics';
import { policies, policyById } from '@mas/mas-episode/simulation';
import type { InstitutionProfile } from '@mas/protocol';

import type { AccessLogService } from '../access-log/access-log.service.js';
import {
  auditByEpisode,
  chainProblems,
  qualitySeal,
  vouchedQuality,
} from '../audit/audit-chain.util.js';
import { recordedEvent, takenUpOf } from '../audit/audit-replay.util.js';
import { BoundStatements } from '../database/bound-statements.js';
import type { Entities } from '../database/entities.js';
import { WriteGate } from '../database/write-gate.js';
import { ServiceError } from '../episodes/episodes.service.js';
import { cohortInWorker } from './simulated-cohort.js';

/** The points of `result` within the months asked for (inclusive), and the episodes they count. */
export function withinMonths(
  result: QualityIndicators,
  { from, to }: Pick<QualityQuery, 'from' | 'to'>,
): QualityIndicators {
  const kept = <K extends IndicatorId>(
    indicator: IndicatorResult<K>,
  ): IndicatorResult<K> => ({
    ...indicator,
    points: indicator.points.filter(
      (p) =>
        (from === undefined || p.month >= from) &&
        (to === undefined || p.month <= to),
    ),
  });
  const indicators = Object.fromEntries(
    indicatorIds.map((id) => [id, kept(result.indicators[id])]),
  ) as unknown as QualityIndicators['indicators'];
  // Every counted episode has an outcome, in its month's every-ward point.
  const episodes = indicators.outcomes.points
    .filter((p) => p.ward === null)
    .reduce((sum, p) => sum + p.episodeIds.length, 0);
  return { ...result, episodes, indicators };
}

/** Ids per query: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) {
    out.push(items.slice(i, i + CHUNK));
  }
  return out;
}

/**
 * The analysis a row keeps (folded on each write), if of this format and of
 * the row's own version.
 */
function keptAnalysis(
  quality: string | null,
  version: number,
): EpisodeAnalysis | null {
  if (quality === null) return null;
  try {
    return (
      keptQualityAt(JSON.parse(quality) as KeptQuality, version)?.analysis ??
      null
    );
  } catch {
    return null;
  }
}

/** Simulated cohorts kept at most (the oldest asked goes first). */
const SIMULATED_KEPT = 16;

/**
 * Simulated cohorts waiting or being computed at most; one more is a 503
 * (each takes seconds of a core: educators wait, the wards do not).
 */
const COHORTS_WAITING = 3;

/**
 * The quality indicators of real episodes (training episodes are left out).
 * It never replays what the write path keeps: each real episode's facts are
 * folded into its row on every write (`quality`, the same fold a full replay
 * does, tested equal), so a report reads one column per episode. Rows an
 * older version wrote keep nothing: those are replayed from their first
 * snapshot and audit by the pure `analyseEpisode` (in chunks: a few queries,
 * never one per episode), the result kept in this process by version, and
 * written back to the row (only where the row is still at that version and
 * keeps nothing), so each is replayed once.
 */
export class AnalyticsService {
  private readonly kept = new Map<
    string,
    { readonly version: number; readonly analysis: EpisodeAnalysis }
  >();

  /**
   * Simulated cohorts by policy, runs and seed (the same question, the same
   * answer), as they are being computed or once computed.
   */
  private readonly simulated = new Map<string, Promise<SimulatedQuality>>();

  /** Cohorts are computed one at a time: the other core serves the wards. */
  private cohorts: Promise<unknown> = Promise.resolve();

  /** Cohorts asked and not yet computed (at most COHORTS_WAITING). */
  private cohortsPending = 0;

  private readonly gate: WriteGate;
  private readonly statements: BoundStatements;

  constructor(
    private readonly dataSource: DataSource,
    private readonly entities: Entities,
    private readonly profile: InstitutionProfile,
    /** Who read the report (its drill-down names patients). */
    readonly accessLog: AccessLogService,
    /** The audit key: kept facts are read only where their seal vouches for them. */
    private readonly auditKey: KeyObject,
  ) {
    this.gate = WriteGate.for(dataSource);
    this.statements = new BoundStatements(dataSource);
  }

  /**
   * The indicators of a simulated cohort (every scenario, `runs` courses,
   * one policy), MODEL OUTPUT, under the service's institution profile;
   * kept per question (a cohort of the largest size takes seconds).
   */
  simulatedCohort(query: SimulatedQualityQuery): Promise<SimulatedQuality> {
    let policy;
    try {
      policy = policyById(query.policy);
    } catch (error) {
      throw new ServiceError(400, {
        message: `query.policy: ${(error as Error).message}`,
        field: 'query.policy',
        rule: 'must be a policy of the simulator',
      });
    }
    const key = `${policy.id}|${String(query.runs)}|${String(query.seed)}`;
    let result = this.simulated.get(key);
    if (result === undefined) {
      if (this.cohortsPending >= COHORTS_WAITING) {
        throw new ServiceError(503, {
          message: `${String(this.cohortsPending)} simulated cohorts are being computed: ask again in a minute`,
        });
      }
      // In a worker thread (about two seconds at the largest cohort): the
      // service keeps answering meanwhile.
      const request = {
        policyId: policy.id,
        runs: query.runs,
        seed: query.seed,
        profile: this.profile,
      };
      const computed = this.cohorts.then(
        () => cohortInWorker(request),
        () => cohortInWorker(request),
      );
      this.cohortsPending += 1;
      const settled = () => {
        this.cohortsPending -= 1;
      };
      this.cohorts = computed.then(settled, settled);
      result = computed.then((cohort) => ({
        ...cohort,
        policies: Object.values(policies).map(({ id, description }) => ({
          id,
          description,
        })),
      }));
      // A failure is not kept: the next ask computes again.
      const kept = result;
      kept.catch(() => {
        if (this.simulated.get(key) === kept) this.simulated.delete(key);
      });
      this.simulated.set(key, result);
      for (const oldest of this.simulated.keys()) {
        if (this.simulated.size <= SIMULATED_KEPT) break;
        this.simulated.delete(oldest);
      }
    }
    return result;
  }

  async report(
    query: QualityQuery,
  ): Promise<QualityIndicators & Pick<QualityReport, 'versions' | 'patients'>> {
    const rows = await this.dataSource
      .getRepository(this.entities.episode)
      .find({
        select: {
          id: true,
          kind: true,
          patientIdentifier: true,
          protocolVersion: true,
          version: true,
          quality: true,
          qualitySeal: true,
          ward: true,
        },
        where: { kind: 'real' },
        order: { createdAt: 'ASC', id: 'ASC' },
      });
    const chosen = rows.filter(
      (row) =>
        query.version === undefined || row.protocolVersion === query.version,
    );
    const fromRows = new Map<string, EpisodeAnalysis>();
    // Facts the seal does not vouch for were written outside the service
    // (facts kept before seals were cleared by the migration that added
    // them): replayed from the audit and left as found, for verification to
    // name. Rows keeping nothing are replayed and their facts written back.
    const tampered = new Set<string>();
    for (const row of chosen) {
      const vouched = vouchedQuality(this.auditKey, row);
      if (vouched === null && row.quality !== null) tampered.add(row.id);
      const analysis = keptAnalysis(vouched, row.version);
      if (analysis) fromRows.set(row.id, analysis);
    }
    const changed = chosen.filter(
      (row) =>
        !fromRows.has(row.id) && this.kept.get(row.id)?.version !== row.version,
    );
    for (const ids of chunks(changed.map((row) => row.id))) {
      await this.analyse(ids, tampered);
    }
    const result = withinMonths(
      indicatorsOf(
        chosen.flatMap((row): EpisodeAnalysis[] => {
          const analysis =
            fromRows.get(row.id) ?? this.kept.get(row.id)?.analysis;
          if (analysis === undefined) return [];
          // The ward the episode was opened on (sealed with the record).
          return 'facts' in analysis
            ? [
                {
                  ...analysis,
                  facts: { ...analysis.facts, ward: row.ward ?? null },
                },
              ]
            : [analysis];
        }),
      ),
      query,
    );
    const counted = new Set(
      result.indicators.outcomes.points.flatMap((p) => p.episodeIds),
    );
    return {
      ...result,
      versions: [...new Set(rows.map((row) => row.protocolVersion))].sort(),
      patients: Object.fromEntries(
        chosen
          .filter((row) => counted.has(row.id))
          .map((row) => [row.id, row.patientIdentifier]),
      ),
    };
  }

  /** Replays these episodes from the database, keeps their analyses and writes them back. */
  private async analyse(
    ids: readonly string[],
    tampered: ReadonlySet<string>,
  ): Promise<void> {
    // Whole rows: a replay's facts are sealed only where the record and its
    // audit verify (forged audit entries never become vouched-for facts).
    const episodes = await this.dataSource
      .getRepository(this.entities.episode)
      .find({ where: { id: In([...ids]) } });
    const entries = await this.dataSource
      .getRepository(this.entities.audit)
      .find({
        where: { episodeId: In([...ids]) },
        order: { episodeId: 'ASC', seq: 'ASC' },
      });
    const byEpisode = auditByEpisode(entries);
    const backfill: {
      id: string;
      version: number;
      quality: string;
      qualitySeal: string;
    }[] = [];
    for (const row of episodes) {
      const events = byEpisode.get(row.id) ?? [];
      let recorded: EpisodeEvent[];
      // (Without the entries entered in error, nor the voids: the
      // replays' one rule; each event keeps its audit seq.)
      const effective = effectiveEntries(events);
      try {
        recorded = effective.map(recordedEvent);
      } catch (error) {
        // An entry an earlier statechart wrote in a form this one cannot
        // read: the episode is named as not replayable, the report goes on.
        this.kept.set(row.id, {
          version: row.version,
          analysis: {
            skipped:
              row.kind === 'training'
                ? { episodeId: row.id, reason: 'training' }
                : {
                    episodeId: row.id,
                    reason: 'not-replayable',
                    detail:
                      error instanceof Error ? error.message : String(error),
                  },
          },
        });
        continue;
      }
      const input: QualityEpisodeInput = {
        episodeId: row.id,
        kind: row.kind,
        initialSnapshot:
          row.initialSnapshot === null
            ? null
            : (JSON.parse(row.initialSnapshot) as unknown),
        events: recorded,
        seqs: effective.map((entry) => entry.seq),
        ...takenUpOf(row),
      };
      // Kept under the version read before its audit: an event audited
      // between the two reads is in the analysis early, and its newer
      // version has the episode analysed again at the next report (and
      // the write-back below refused, the row having moved on).
      this.kept.set(row.id, {
        version: row.version,
        analysis: analyseEpisode(input),
      });
      const replayedKept = replayKeptQuality(input);
      // Kept at the row's version (its audited entries, voids included),
      // which the next write folds on.
      const kept =
        replayedKept === null
          ? null
          : { ...replayedKept, atVersion: row.version };
      // Only a replay that matches the row's version is written back.
      if (
        kept &&
        events.length === row.version &&
        !tampered.has(row.id) &&
        chainProblems(this.auditKey, row.id, row, events).length === 0
      ) {
        const quality = JSON.stringify(kept);
        backfill.push({
          id: row.id,
          version: row.version,
          quality,
          qualitySeal: qualitySeal(this.auditKey, {
            id: row.id,
            version: row.version,
            quality,
          }),
        });
      }
    }
    await this.writeBack(backfill);
  }

  /**
   * Derived data written back to rows that keep none (or keep facts of
   * another format or version), where the row is still at the version
   * replayed (never over a write made meanwhile). A failure (a busy
   * database) is left for the next report.
   */
  private async writeBack(
    rows: readonly {
      id: string;
      version: number;
      quality: string;
      qualitySeal: string;
    }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    // Through the service's one write queue and its own transactions (on
    // SQLite one connection serves every write: a transaction opened beside
    // the queue would take a clinical write into it), in the order of the
    // ids (two reports never lock rows in crossed order).
    const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
    try {
      await this.gate.transaction(async (manager) => {
        for (const row of sorted) {
          await manager
            .createQueryBuilder()
            .update(this.entities.episode)
            .set({ quality: row.quality, qualitySeal: row.qualitySeal })
            .where('id = :id AND version = :version', {
              id: row.id,
              version: row.version,
            })
            .execute();
        }
      });
    } catch {
      // Derived data: the next report replays these rows again.
    }
  }
}
