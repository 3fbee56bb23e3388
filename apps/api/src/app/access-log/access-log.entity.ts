import { EntitySchema } from 'typeorm';

/** One read of patient data, or one act of user administration. */
export interface AccessLogRow {
  id: string;
  at: Date;
  /** Who (username) and in which role. */
  actorId: string;
  actorRole: string;
  /** What: `episode.read`, `episodes.listed`, `user.created`, … */
  action: string;
  /** The episode read, if one. */
  episodeId: string | null;
  /** The user administered, if one. */
  subject: string | null;
  /** The route's parameters or the change made (JSON), if any. */
  detail: string | null;
  /**
   * The entry's place in its user's chain (1, 2, ...), the previous entry's
   * code (null for the first) and its own HMAC under the audit key; all
   * null on rows an older version wrote.
   */
  seq: number | null;
  prevMac: string | null;
  mac: string | null;
}

/**
 * The columns of a keyed chain of its own (the access log per user, the
 * refused attempts per episode): migrations/chain-columns.ts adds them.
 */
export const chainColumns = {
  seq: { type: 'integer', nullable: true },
  prevMac: { name: 'prev_mac', type: 'varchar', length: 100, nullable: true },
  mac: { type: 'varchar', length: 100, nullable: true },
} as const;

/** The longest actor name the log keeps (its `actor_id` column). */
export const ACCESS_LOG_ACTOR_MAX_LENGTH = 100;

export function buildAccessLogEntity(time: 'timestamptz' | 'datetime') {
  return new EntitySchema<AccessLogRow>({
    name: 'AccessLogEntry',
    tableName: 'access_log',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      at: { type: time },
      actorId: {
        name: 'actor_id',
        type: 'varchar',
        length: ACCESS_LOG_ACTOR_MAX_LENGTH,
      },
      actorRole: { name: 'actor_role', type: 'varchar', length: 30 },
      action: { type: 'varchar', length: 40 },
      episodeId: {
        name: 'episode_id',
        type: 'varchar',
        length: 36,
        nullable: true,
      },
      subject: { type: 'varchar', length: 100, nullable: true },
      detail: { type: 'text', nullable: true },
      ...chainColumns,
    },
    indices: [
      { name: 'idx_access_log_episode', columns: ['episodeId', 'at'] },
      { name: 'idx_access_log_actor', columns: ['actorId', 'at'] },
    ],
  });
}
