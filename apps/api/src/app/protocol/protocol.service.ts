import type { DataSource } from 'typeorm';

import type { ProtocolDiffAnswer, ProtocolVersionList } from '@mas/contracts';
import { migrationPlanHash, migrationPlans } from '@mas/mas-episode';
import {
  diffProtocols,
  type EvidenceEntry,
  masProtocol,
  type ProtocolVersion,
  protocolVersions,
  releasesOf,
} from '@mas/protocol';

import type { Entities } from '../database/entities.js';

type EpisodeKind = 'real' | 'training';
type ResolvedEvidence =
  ProtocolDiffAnswer['changes'][number]['evidence'][number];

/** The entry with this id in `to`'s catalog, else in `from`'s. */
function entryOf(
  id: string,
  from: ProtocolVersion,
  to: ProtocolVersion,
): EvidenceEntry | undefined {
  return (
    to.evidence.find((e) => e.id === id) ??
    from.evidence.find((e) => e.id === id)
  );
}

/** An evidence id as a client reads it: its citation and tag (sources), and its text. */
function resolved(
  id: string,
  from: ProtocolVersion,
  to: ProtocolVersion,
): ResolvedEvidence {
  const entry = entryOf(id, from, to);
  if (entry === undefined) {
    // The protocol's specs hold every id a version names in its catalog.
    return { id, text: 'Not in the evidence catalog of either version.' };
  }
  if (entry.kind === 'seed-statement') return { id, text: entry.text };
  return {
    id,
    citation: entry.citation,
    ...(entry.tag === undefined ? {} : { tag: entry.tag }),
    text: entry.text,
  };
}

/**
 * The versions of the protocol this build knows, with the episodes recorded
 * under each, and what one changes against another (`diffProtocols`, each
 * change's evidence resolved so a client needs no second lookup). It reads,
 * never writes.
 */
export class ProtocolService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly entities: Entities,
    /** The deployed version new episodes open under. */
    private readonly currentVersion: string = masProtocol.version,
  ) {}

  async versions(): Promise<ProtocolVersionList> {
    // One grouped count, whatever the number of episodes.
    const rows = await this.dataSource
      .getRepository(this.entities.episode)
      .createQueryBuilder('episode')
      .select('episode.protocolVersion', 'version')
      .addSelect('episode.kind', 'kind')
      .addSelect('COUNT(*)', 'total')
      .groupBy('episode.protocolVersion')
      .addGroupBy('episode.kind')
      .getRawMany<{
        version: string;
        kind: EpisodeKind;
        total: number | string;
      }>();
    const count = (version: string, kind: EpisodeKind) =>
      Number(
        rows.find((row) => row.version === version && row.kind === kind)
          ?.total ?? 0,
      );
    return protocolVersions.map((v) => ({
      id: v.id,
      version: v.version,
      status: v.status,
      hash: v.hash,
      releases: releasesOf(v.version).map(({ hash, date, change }) => ({
        hash,
        date,
        change,
      })),
      summary: v.summary,
      current: v.version === this.currentVersion,
      episodes: {
        real: count(v.version, 'real'),
        training: count(v.version, 'training'),
      },
      migrations: migrationPlans
        .filter((plan) => plan.from === v.version)
        .map((plan) => ({
          to: plan.to,
          summary: plan.summary,
          planHash: migrationPlanHash(plan),
        })),
    }));
  }

  diff(from: ProtocolVersion, to: ProtocolVersion): ProtocolDiffAnswer {
    const diff = diffProtocols(from, to);
    return {
      from: diff.from,
      to: diff.to,
      changes: diff.changes.map((change) => ({
        ...change,
        evidence: change.evidence.map((id) => resolved(id, from, to)),
      })),
      // The entries themselves, as each version's catalog holds them.
      evidence: diff.evidence.map(({ change, id }) => {
        const before = from.evidence.find((e) => e.id === id);
        const after = to.evidence.find((e) => e.id === id);
        return {
          change,
          id,
          ...(before === undefined ? {} : { before }),
          ...(after === undefined ? {} : { after }),
        };
      }),
    };
  }
}
