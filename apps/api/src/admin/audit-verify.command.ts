/**
 * `cli audit verify`: the audit of a database checked from outside the
 * service, as an auditor does: every chain with its authentication (the audit
 * key), each against its episode, optionally each replayed, and what changed
 * since a signed checkpoint kept outside the database. Reads only: no
 * migration, no write, no key generated.
 */
import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type KeyObject,
} from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { StoredProtocolRelease } from '@mas/contracts';

import type { AuditProblem } from '../app/audit/audit-chain.util.js';
import {
  type Checkpoint,
  checkpointSignatureProblem,
  sinceCheckpoint,
} from '../app/audit/checkpoint.util.js';
import {
  readAuditRows,
  verifyAuditRows,
} from '../app/audit/stored-audit.util.js';
import type { Configuration } from '../app/config/configuration.js';
import { createDataSource } from '../app/database/data-source.js';
import { buildEntities } from '../app/database/entities.js';
import { keyIdOf } from '../app/keys/service-keys.js';

/** A command that cannot run (exit 2), named. */
export class AdminCommandError extends Error {}

/** The audit key: AUDIT_KEY, or KEYS_DIR/audit-key; never generated here. */
export function readAuditKey(config: Configuration): KeyObject {
  if (config.AUDIT_KEY) {
    return createSecretKey(Buffer.from(config.AUDIT_KEY, 'utf8'));
  }
  const path = join(config.KEYS_DIR, 'audit-key');
  if (!existsSync(path)) {
    throw new AdminCommandError(
      `no audit key: set AUDIT_KEY or KEYS_DIR (no ${path})`,
    );
  }
  return createSecretKey(
    Buffer.from(readFileSync(path, 'utf8').trim(), 'utf8'),
  );
}

export interface StoredAuditReport {
  readonly ok: boolean;
  readonly database: string;
  readonly episodes: number;
  readonly entries: number;
  readonly refusals: number;
  readonly accessEntries: number;
  /** Rows of the two chains of their own that carry no code. */
  readonly unauthenticatedRefusals: number;
  readonly unauthenticatedAccessEntries: number;
  readonly replayed: boolean;
  /** Replayed: the histories not replayed in full, and why. */
  readonly replayScopes: readonly { episodeId: string; scope: string }[];
  /**
   * Each protocol content the records ran under, against the pinned
   * releases (content not pinned is said, not a problem).
   */
  readonly protocolReleases: readonly StoredProtocolRelease[];
  readonly checkpoint: {
    readonly issuedAt: string;
    readonly keyId: string;
    readonly chains: number;
    /** "holds", or why the file cannot be trusted. */
    readonly signature: string;
    /** The service's own key compared (KEYS_DIR), or why not. */
    readonly serviceKey: string;
  } | null;
  readonly problems: readonly AuditProblem[];
}

export async function verifyStoredAudit(
  config: Configuration,
  auditKey: KeyObject,
  options: { readonly replay?: boolean; readonly checkpoint?: Checkpoint } = {},
): Promise<StoredAuditReport> {
  if (!config.DATABASE_URL && !existsSync(config.SQLITE_PATH)) {
    throw new AdminCommandError(`no database file ${config.SQLITE_PATH}`);
  }
  const { dataSource, engine } = createDataSource(config);
  await dataSource.initialize();
  try {
    if (await dataSource.showMigrations()) {
      throw new AdminCommandError(
        'the database is at an older schema: start the service once to migrate it, then verify',
      );
    }
    const entities = buildEntities(engine);
    const stored = await dataSource.transaction((manager) =>
      readAuditRows(manager, entities, options),
    );
    const { episodes, entries, refusals, access } = stored;
    const verification = verifyAuditRows(auditKey, stored, options);
    const problems = [...verification.broken];
    let checkpoint: StoredAuditReport['checkpoint'] = null;
    if (options.checkpoint) {
      const kept = options.checkpoint;
      const own = serviceKeyId(config);
      // A file signed by another key than the service's proves nothing:
      // anyone can sign a checkpoint of a rewritten audit with a key of
      // their own. Compared wherever this service's key can be read.
      const signature =
        checkpointSignatureProblem(kept) ??
        (own !== null && own !== kept.keyId
          ? `it is signed by the key ${kept.keyId}, not by this service's ${own} (KEYS_DIR)`
          : null);
      checkpoint = {
        issuedAt: kept.issuedAt,
        keyId: kept.keyId,
        chains: kept.chains.length,
        signature: signature ?? 'holds',
        serviceKey:
          own === null
            ? `not compared (no ${join(config.KEYS_DIR, CHECKPOINT_KEY_FILE)}): compare the key id with the service's by hand`
            : own === kept.keyId
              ? "the service's own"
              : `not the service's (${own})`,
      };
      if (signature) {
        problems.push({
          episodeId: '*',
          seq: null,
          id: null,
          reason: `the checkpoint file cannot be trusted: ${signature}`,
        });
      } else {
        const hashes = new Map(
          entries.map((e) => [`${e.episodeId}#${String(e.seq)}`, e.hash]),
        );
        const accessCodes = new Map(
          access.map((a) => [
            `${a.actorId}#${String(a.seq)}`,
            a.mac ?? undefined,
          ]),
        );
        const codes = new Map(
          refusals.map((r) => [
            `${r.episodeId}#${String(r.seq)}`,
            r.mac ?? undefined,
          ]),
        );
        problems.push(
          ...sinceCheckpoint(
            kept,
            new Set(episodes.map((e) => e.id)),
            (episodeId, seq) => hashes.get(`${episodeId}#${String(seq)}`),
            (episodeId, seq) => codes.get(`${episodeId}#${String(seq)}`),
            (actorId, seq) => accessCodes.get(`${actorId}#${String(seq)}`),
          ),
        );
      }
    }
    return {
      ok: problems.length === 0,
      database: config.DATABASE_URL
        ? redactedUrl(config.DATABASE_URL)
        : config.SQLITE_PATH,
      episodes: verification.episodes,
      entries: verification.entries,
      refusals: verification.refusals,
      accessEntries: verification.accessEntries,
      unauthenticatedRefusals: verification.unauthenticatedRefusals,
      unauthenticatedAccessEntries: verification.unauthenticatedAccessEntries,
      replayed: options.replay === true,
      replayScopes: verification.replayScopes ?? [],
      protocolReleases: verification.protocolReleases,
      checkpoint,
      problems,
    };
  } finally {
    await dataSource.destroy();
  }
}

/** The checkpoint key's file in KEYS_DIR (as the service keeps it). */
const CHECKPOINT_KEY_FILE = 'checkpoint-ed25519.pem';

/** The id of the service's checkpoint key, where KEYS_DIR holds it. */
function serviceKeyId(config: Configuration): string | null {
  const path = join(config.KEYS_DIR, CHECKPOINT_KEY_FILE);
  if (!existsSync(path)) return null;
  try {
    return keyIdOf(createPublicKey(createPrivateKey(readFileSync(path))));
  } catch {
    return null;
  }
}

function redactedUrl(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

/** `count` and the noun, in the singular for one. */
function plural(count: number, one: string, many = `${one}s`): string {
  return `${String(count)} ${count === 1 ? one : many}`;
}

/** How many histories not replayed in full the text names one by one. */
const SCOPES_LISTED = 20;

export function formatStoredAudit(report: StoredAuditReport): string {
  const lines = [
    `Audit of ${report.database}: ${report.episodes} episodes, ${report.entries} entries, ${report.refusals} refused attempts, ${report.accessEntries} access log entries${report.replayed ? ', every chain replayed' : ''}`,
  ];
  if (report.checkpoint) {
    lines.push(
      `Checkpoint of ${report.checkpoint.issuedAt} (${report.checkpoint.chains} chains, key ${report.checkpoint.keyId}, ${report.checkpoint.serviceKey}): signature ${report.checkpoint.signature}`,
    );
  }
  const unauthenticated =
    report.unauthenticatedRefusals + report.unauthenticatedAccessEntries;
  if (unauthenticated > 0) {
    // Rows an older version wrote carry no code; so does a row stripped of
    // it and backdated: only a checkpoint taken since vouches for them.
    lines.push(
      `${report.unauthenticatedRefusals} refused attempts and ${report.unauthenticatedAccessEntries} access log entries carry no authentication code (written before their chains began, or stripped of it): only a checkpoint vouches for them`,
    );
  }
  if (report.replayScopes.length > 0) {
    // (After an upgrade, every episode not written since: said once each,
    // the first few in full.)
    lines.push(
      `${report.replayScopes.length} histories not replayed in full (their chains and sealed records are verified):`,
    );
    for (const { episodeId, scope } of report.replayScopes.slice(
      0,
      SCOPES_LISTED,
    )) {
      lines.push(`  episode ${episodeId}: ${scope}`);
    }
    const more = report.replayScopes.length - SCOPES_LISTED;
    if (more > 0) lines.push(`  and ${more} more (--json lists every one)`);
  }
  if (report.protocolReleases.length > 0) {
    lines.push('Protocol content the records ran under:');
    for (const release of report.protocolReleases) {
      // Content not pinned is marked: an auditor looks at it first.
      lines.push(
        `  ${release.status === 'pinned' ? '' : '! '}${release.statement} (${plural(release.episodes, 'episode')}, ${plural(release.entries, 'entry', 'entries')})`,
      );
    }
  }
  if (report.ok) {
    lines.push(
      unauthenticated > 0
        ? 'ok: every authenticated row holds, every chain matches its episode'
        : 'ok: every entry authenticated, every chain matches its episode',
    );
  } else {
    lines.push(`NOT OK: ${report.problems.length} problems`);
    for (const p of report.problems) {
      lines.push(
        `  episode ${p.episodeId}${p.seq === null ? '' : ` entry ${p.seq}`}: ${p.reason}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
