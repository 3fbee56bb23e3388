/**
 * The dependency rules of the workspace are enforced by lint, not only
 * written down: apps -> machines -> libs, and pure projects do no I/O.
 * Each case lints real code at a real path with the real configuration.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from '@jest/globals';
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';

const workspaceRoot = join(import.meta.dirname, '../..');
let eslint: ESLint;

beforeAll(async () => {
  // The Nx boundary rule reads the cached project graph; build it first so
  // that the rule runs instead of being skipped.
  await createProjectGraphAsync({ exitOnError: false });
  eslint = new ESLint({ cwd: workspaceRoot });
}, 120_000);

async function ruleIds(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, {
    filePath: join(workspaceRoot, file),
  });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

const pureFile = 'libs/protocol/src/index.ts';

describe('module boundaries', () => {
  it('a clinical lib importing NestJS, TypeORM or React is an error', async () => {
    for (const pkg of ['@nestjs/common', 'typeorm', 'react', '@xstate/react']) {
      const ids = await ruleIds(`export { x } from '${pkg}';\n`, pureFile);
      expect(ids).toContain('no-restricted-imports');
    }
  }, 60_000);

  it('a clinical lib importing an app is an error of the Nx boundary rule', async () => {
    const ids = await ruleIds(
      `export { runCli } from '../../../apps/cli/src/cli.js';\n`,
      pureFile,
    );
    expect(ids).toContain('@nx/enforce-module-boundaries');
  }, 60_000);

  it('tags constrain dependencies: domain -> domain, machine -> domain, app -> machine/domain', async () => {
    const config = (await eslint.calculateConfigForFile(
      join(workspaceRoot, pureFile),
    )) as { rules: Record<string, [unknown, { depConstraints: unknown[] }]> };
    const rule = config.rules['@nx/enforce-module-boundaries'];
    expect(rule?.[1].depConstraints).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          sourceTag: 'type:domain',
          onlyDependOnLibsWithTags: ['type:domain'],
          bannedExternalImports: expect.arrayContaining([
            '@nestjs/*',
            'typeorm',
            'react',
            '@xstate/react',
          ]),
        }),
        expect.objectContaining({
          sourceTag: 'type:machine',
          onlyDependOnLibsWithTags: ['type:domain'],
        }),
        expect.objectContaining({
          sourceTag: 'type:app',
          onlyDependOnLibsWithTags: ['type:machine', 'type:domain'],
        }),
      ]),
    );
  });

  it('pure code doing I/O, reading the clock or logging is an error', async () => {
    expect(
      await ruleIds(
        `import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n`,
        pureFile,
      ),
    ).toContain('no-restricted-imports');
    expect(
      await ruleIds(`export const now = Date.now();\n`, pureFile),
    ).toContain('no-restricted-syntax');
    expect(
      await ruleIds(`export const now = new Date();\n`, pureFile),
    ).toContain('no-restricted-syntax');
    expect(
      await ruleIds(`console.log('x');\nexport {};\n`, pureFile),
    ).toContain('no-restricted-syntax');
  }, 60_000);

  it('the shipped pure file itself lints clean, and an app may use the lib', async () => {
    expect(
      await ruleIds(
        readFileSync(join(workspaceRoot, pureFile), 'utf8'),
        pureFile,
      ),
    ).toEqual([]);
    const cli = 'apps/cli/src/cli.ts';
    expect(
      await ruleIds(readFileSync(join(workspaceRoot, cli), 'utf8'), cli),
    ).toEqual([]);
  }, 60_000);

  it('a focused test is an error', async () => {
    const spec = 'libs/protocol/src/lib/units/quantity.util.spec.ts';
    const code = `import { it, expect } from '@jest/globals';\nit.only('x', () => { expect(1).toBe(1); });\n`;
    expect(await ruleIds(code, spec)).toContain('jest/no-focused-tests');
  }, 60_000);
});

describe('workspace settings', () => {
  const nx = JSON.parse(
    readFileSync(join(workspaceRoot, 'nx.json'), 'utf8'),
  ) as Record<string, unknown>;

  it('Nx never reaches a cloud service and runs no daemon', () => {
    expect(nx['neverConnectToCloud']).toBe(true);
    expect(nx['useDaemonProcess']).toBe(false);
  });

  it('every project carries a type tag that the lint constraints know', async () => {
    const graph = await createProjectGraphAsync({ exitOnError: false });
    const known = [
      'type:domain',
      'type:machine',
      'type:app',
      'type:e2e',
      'type:e2e-support',
    ];
    const projects = Object.values(graph.nodes);
    expect(projects.length).toBeGreaterThanOrEqual(3);
    for (const project of projects) {
      const tags = project.data.tags ?? [];
      expect(tags.filter((tag) => known.includes(tag))).toHaveLength(1);
    }
  }, 60_000);
});
