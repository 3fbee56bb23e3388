import { type DataSource, In } from 'typeorm';

import type { QualityQuery, QualityReport } from '@mas/contracts';
import {
  analyseEpisode,
  type EpisodeAnalysis,
  type IndicatorId,
  indicatorIds,
  type IndicatorResult,
  indicatorsOf,
  type QualityIndicators,
} from '@mas/mas-episode/analytics';

import { recordedEvent } from '../audit/audit-replay.util.js';
import type { AuditRow, Entities } from '../database/entities.js';

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
 * The quality indicators of real episodes (training episodes are left out),
 * each replayed from its first snapshot through its audit by the pure
 * `analyseEpisode`. It reads, never writes.
 *
 * Incremental: the analysis of each episode is kept, in this process, with
 * the episode's version (one more per audited event), and an episode is
 * replayed again only when its version moved. A report reads the episode
 * rows (without snapshots) and, for the episodes that changed since the last
 * report, their first snapshot and audit (in chunks: a few queries, never
 * one per episode). The result equals the full replay (tested).
 */
export class AnalyticsService {
  private readonly kept = new Map<
    string,
    { readonly version: number; readonly analysis: EpisodeAnalysis }
  >();

  constructor(
    private readonly dataSource: DataSource,
    private readonly entities: Entities,
  ) {}

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
        },
        where: { kind: 'real' },
        order: { createdAt: 'ASC', id: 'ASC' },
      });
    const chosen = rows.filter(
      (row) =>
        query.version === undefined || row.protocolVersion === query.version,
    );
    const changed = chosen.filter(
      (row) => this.kept.get(row.id)?.version !== row.version,
    );
    for (const ids of chunks(changed.map((row) => row.id))) {
      await this.analyse(ids);
    }
    const result = withinMonths(
      indicatorsOf(
        chosen.flatMap((row) => {
          const kept = this.kept.get(row.id);
          return kept ? [kept.analysis] : [];
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

  /** Replays these episodes from the database and keeps their analyses. */
  private async analyse(ids: readonly string[]): Promise<void> {
    const episodes = await this.dataSource
      .getRepository(this.entities.episode)
      .find({
        select: { id: true, kind: true, initialSnapshot: true, version: true },
        where: { id: In([...ids]) },
      });
    const entries = await this.dataSource
      .getRepository(this.entities.audit)
      .find({
        where: { episodeId: In([...ids]) },
        order: { episodeId: 'ASC', seq: 'ASC' },
      });
    const byEpisode = new Map<string, AuditRow[]>();
    for (const entry of entries) {
      const list = byEpisode.get(entry.episodeId) ?? [];
      list.push(entry);
      byEpisode.set(entry.episodeId, list);
    }
    for (const row of episodes) {
      const events = byEpisode.get(row.id) ?? [];
      // Kept under the version read before its audit: an event audited
      // between the two reads is in the analysis early, and its newer
      // version has the episode analysed again at the next report.
      this.kept.set(row.id, {
        version: row.version,
        analysis: analyseEpisode({
          episodeId: row.id,
          kind: row.kind,
          initialSnapshot:
            row.initialSnapshot === null
              ? null
              : (JSON.parse(row.initialSnapshot) as unknown),
          events: events.map(recordedEvent),
        }),
      });
    }
  }
}
