/**
 * `cli backup` and `cli restore` for the embedded database (SQLite's online
 * backup API: a consistent copy while the service runs). PostgreSQL is
 * backed up with its own tools (`pg_dump -Fc`, `pg_restore`): see the README.
 */
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';

import type { Configuration } from '../app/config/configuration.js';
import { AdminCommandError } from './audit-verify.command.js';

/** The file a backup or restore writes: readable by its owner alone. */
const BACKUP_FILE_MODE = 0o600;

function requireSqlite(config: Configuration, command: string): void {
  if (config.DATABASE_URL) {
    throw new AdminCommandError(
      `${command} copies the embedded (SQLite) database; for PostgreSQL use pg_dump -Fc and pg_restore (see the README)`,
    );
  }
}

/** A consistent copy of the database, taken while it may be in use. */
export async function backupDatabase(
  config: Configuration,
  target: string,
): Promise<{ pages: number }> {
  requireSqlite(config, 'backup');
  if (!existsSync(config.SQLITE_PATH)) {
    throw new AdminCommandError(`no database file ${config.SQLITE_PATH}`);
  }
  if (existsSync(target)) {
    throw new AdminCommandError(`--to ${target}: the file exists`);
  }
  mkdirSync(dirname(target), { recursive: true });
  const source = new Database(config.SQLITE_PATH, {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const result = await source.backup(target);
    chmodSync(target, BACKUP_FILE_MODE);
    return { pages: result.totalPages };
  } finally {
    source.close();
  }
}

/**
 * The database replaced by a backup: checked whole first (SQLite's
 * integrity check, and the service's tables), never over an existing file
 * unless `force`. Run it with the service stopped.
 */
export async function restoreDatabase(
  config: Configuration,
  from: string,
  force: boolean,
): Promise<{ pages: number }> {
  requireSqlite(config, 'restore');
  if (!existsSync(from)) {
    throw new AdminCommandError(`--from ${from}: no such file`);
  }
  const target = config.SQLITE_PATH;
  if (existsSync(target) && !force) {
    throw new AdminCommandError(
      `${target} exists: stop the service and add --force to replace it`,
    );
  }
  let source;
  try {
    source = new Database(from, { readonly: true, fileMustExist: true });
    const check = source.pragma('integrity_check', { simple: true });
    if (check !== 'ok') {
      throw new AdminCommandError(
        `--from ${from}: the integrity check failed (${String(check)})`,
      );
    }
    const tables = source
      .prepare(
        "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('episodes', 'audit_entries', 'migrations')",
      )
      .get() as { n: number };
    if (tables.n !== 3) {
      throw new AdminCommandError(
        `--from ${from}: not a database of this service (no episodes, audit or migrations table)`,
      );
    }
  } catch (error) {
    source?.close();
    if (error instanceof AdminCommandError) throw error;
    throw new AdminCommandError(
      `--from ${from}: not a readable SQLite database (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  try {
    for (const suffix of ['', '-wal', '-shm']) {
      rmSync(`${target}${suffix}`, { force: true });
    }
    mkdirSync(dirname(target), { recursive: true });
    const result = await source.backup(target);
    chmodSync(target, BACKUP_FILE_MODE);
    return { pages: result.totalPages };
  } finally {
    source.close();
  }
}
