#!/usr/bin/env node
/**
 * The service's administrative commands, run against its database (the
 * `cli` forwards `audit`, `backup` and `restore` here):
 *
 *   audit verify [--database FILE|postgres://URL] [--checkpoint FILE] [--replay] [--json]
 *   backup --to FILE [--database FILE]
 *   restore --from FILE [--database FILE] [--force]
 *
 * Configuration as the service's (SQLITE_PATH, DATABASE_URL, AUDIT_KEY,
 * KEYS_DIR); `--database` overrides the database. Exit 0: the audit holds;
 * 1: problems found (each named); 2: the command could not run.
 */
import { readFileSync } from 'node:fs';

import type { Checkpoint } from '../app/audit/checkpoint.util.js';
import {
  ConfigurationError,
  loadConfiguration,
} from '../app/config/configuration.js';
import {
  AdminCommandError,
  formatStoredAudit,
  readAuditKey,
  verifyStoredAudit,
} from './audit-verify.command.js';
import { backupDatabase, restoreDatabase } from './backup.command.js';

export const ADMIN_HELP = `Administrative commands (against the service's database)
  audit verify [--database FILE|postgres://URL] [--checkpoint FILE] [--replay] [--json]
      every audit entry authenticated with the audit key (AUDIT_KEY or KEYS_DIR/audit-key),
      every chain against its episode (no missing tail or chain, no edited snapshot),
      the protocol content the records ran under against the pinned releases
      (content not pinned is marked "!" and stated, not a problem),
      --replay: every chain replayed against its stored snapshot,
      --checkpoint: what changed since a checkpoint kept from GET /api/audit/checkpoint
      exit 0 ok, 1 problems (each named), 2 the command could not run
  backup --to FILE [--database FILE]
      a consistent copy of the embedded database while the service runs (SQLite's online
      backup API), 0600; for PostgreSQL: pg_dump -Fc (see the README)
  restore --from FILE [--database FILE] [--force]
      the database replaced by a backup checked whole first (integrity, the service's
      tables), then its audit verified; with the service stopped; --force to replace a file
`;

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) {
    throw new AdminCommandError(`${name} needs a value`);
  }
  return value;
}

export async function runAdmin(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<{ code: 0 | 1 | 2; stdout: string; stderr: string }> {
  try {
    const [group, ...tail] = args;
    const auditVerify = group === 'audit' && tail[0] === 'verify';
    if (!auditVerify && group !== 'backup' && group !== 'restore') {
      return { code: 2, stdout: '', stderr: ADMIN_HELP };
    }
    const rest = auditVerify ? tail.slice(1) : tail;
    const valued = auditVerify
      ? ['--database', '--checkpoint']
      : group === 'backup'
        ? ['--database', '--to']
        : ['--database', '--from'];
    const flags = auditVerify
      ? ['--replay', '--json']
      : group === 'restore'
        ? ['--force']
        : [];
    for (let i = 0; i < rest.length; i += 1) {
      const arg = rest[i] ?? '';
      if (valued.includes(arg)) i += 1;
      else if (!flags.includes(arg)) {
        throw new AdminCommandError(`unknown argument ${arg}`);
      }
    }
    const database = option(rest, '--database');
    const config = loadConfiguration({
      ...env,
      ...(database === undefined
        ? {}
        : /^postgres(ql)?:\/\//.test(database)
          ? { DATABASE_URL: database }
          : { SQLITE_PATH: database, DATABASE_URL: undefined }),
    });
    if (group === 'backup') {
      const target = option(rest, '--to');
      if (target === undefined) throw new AdminCommandError('--to is required');
      const { pages } = await backupDatabase(config, target);
      return {
        code: 0,
        stdout: `Backed up ${config.SQLITE_PATH} to ${target} (${String(pages)} pages)\n`,
        stderr: '',
      };
    }
    if (group === 'restore') {
      const from = option(rest, '--from');
      if (from === undefined) throw new AdminCommandError('--from is required');
      const { pages } = await restoreDatabase(
        config,
        from,
        rest.includes('--force'),
      );
      const report = await verifyStoredAudit(config, readAuditKey(config), {
        replay: true,
      });
      return {
        code: report.ok ? 0 : 1,
        stdout: `Restored ${from} to ${config.SQLITE_PATH} (${String(pages)} pages)\n${formatStoredAudit(report)}`,
        stderr: '',
      };
    }
    const checkpointFile = option(rest, '--checkpoint');
    let checkpoint: Checkpoint | undefined;
    if (checkpointFile !== undefined) {
      try {
        checkpoint = JSON.parse(
          readFileSync(checkpointFile, 'utf8'),
        ) as Checkpoint;
      } catch (error) {
        throw new AdminCommandError(
          `--checkpoint ${checkpointFile}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    const report = await verifyStoredAudit(config, readAuditKey(config), {
      replay: rest.includes('--replay'),
      ...(checkpoint ? { checkpoint } : {}),
    });
    return {
      code: report.ok ? 0 : 1,
      stdout: rest.includes('--json')
        ? `${JSON.stringify(report, null, 2)}\n`
        : formatStoredAudit(report),
      stderr: '',
    };
  } catch (error) {
    if (
      error instanceof AdminCommandError ||
      error instanceof ConfigurationError
    ) {
      return { code: 2, stdout: '', stderr: `${error.message}\n` };
    }
    throw error;
  }
}
