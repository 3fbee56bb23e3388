import type { DataSource, EntitySchema } from 'typeorm';
import { MoreThanOrEqual } from 'typeorm';

import type { EpisodeRow } from '../database/entities.js';

/** What a change tells a page: which episode moved to which version. */
export interface EpisodeChange {
  readonly id: string;
  readonly version: number;
  readonly kind: 'real' | 'training';
  /** Who opened it (a trainee hears only of their own training episodes). */
  readonly openedBy: string | null;
}

type Listener = (changes: readonly EpisodeChange[]) => void;

/** How far before the newest update seen each poll looks again. */
const LOOK_BACK_MS = 60_000;

/**
 * Which episodes changed, for the pages that show them live. One query per
 * interval per service instance while anyone listens, whatever the number
 * of pages (no polling storm), and it sees the changes every instance on
 * the database made, not only this one's. Changes are found by version,
 * among the rows updated at or after the newest update already seen (the
 * service's clock may give several writes the same instant).
 */
export class EpisodeChangesService {
  private readonly listeners = new Set<Listener>();
  /** The latest change seen of each episode (its version now). */
  private readonly versions = new Map<string, EpisodeChange>();
  private since: Date | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private polling: Promise<unknown> | null = null;
  /** Which subscription round a first look belongs to (stop() ends one). */
  private round = 0;
  /** The first look at the versions already there (none before a listener). */
  private baseline: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly entity: EntitySchema<EpisodeRow>,
    private readonly intervalMs: number,
  ) {}

  /** Starts telling `listener` of changes; the function it gives stops. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.timer === null) {
      // The current versions first: what is already there is no change.
      this.baseline = this.firstLook(this.round);
      this.polling = this.baseline.finally(() => {
        this.polling = null;
      });
      this.timer = setInterval(() => {
        this.polling ??= this.poll(true).finally(() => {
          this.polling = null;
        });
      }, this.intervalMs);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /**
   * Resolves once the versions already there are known: a change committed
   * after that is told. A stream answers its caller only then, so that a
   * change made just after a page was answered is never taken for one
   * already there.
   */
  ready(): Promise<void> {
    return this.baseline ?? Promise.resolve();
  }

  /**
   * An episode as the last look saw it (after ready()): its version and who
   * may hear of it; undefined for one not seen.
   */
  current(id: string): EpisodeChange | undefined {
    return this.versions.get(id);
  }

  /**
   * The first look, tried again every interval until it reads (the
   * database away for a moment), or until nobody listens: else the next
   * look would take every episode for a change, and every page would
   * reload at once.
   */
  private async firstLook(round: number): Promise<void> {
    while (!(await this.poll(false)) && this.round === round) {
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }

  stop(): void {
    this.round += 1;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.baseline = null;
    this.since = null;
    this.versions.clear();
  }

  /** One look at the versions; false when the database could not be read. */
  private async poll(tell: boolean): Promise<boolean> {
    let rows: Pick<
      EpisodeRow,
      'id' | 'version' | 'kind' | 'updatedAt' | 'openedBy'
    >[];
    try {
      rows = await this.dataSource.getRepository(this.entity).find({
        select: {
          id: true,
          version: true,
          kind: true,
          updatedAt: true,
          openedBy: true,
        },
        // A margin before the newest update seen: a write stamped earlier
        // may commit later, or come from an instance whose clock is behind.
        ...(this.since === null
          ? {}
          : {
              where: {
                updatedAt: MoreThanOrEqual(
                  new Date(this.since.getTime() - LOOK_BACK_MS),
                ),
              },
            }),
      });
    } catch {
      // The database is away for a moment: the next poll tries again.
      return false;
    }
    const changes: EpisodeChange[] = [];
    for (const row of rows) {
      const updated = new Date(row.updatedAt);
      if (this.since === null || updated > this.since) this.since = updated;
      if (this.versions.get(row.id)?.version === row.version) continue;
      const change: EpisodeChange = {
        id: row.id,
        version: row.version,
        kind: row.kind,
        openedBy: row.openedBy ?? null,
      };
      this.versions.set(row.id, change);
      changes.push(change);
    }
    if (tell && changes.length > 0) {
      for (const listener of this.listeners) listener(changes);
    }
    return true;
  }
}
