/**
 * The real service on a fresh SQLite file, serving the built web app, and
 * one real Chromium (Debian's, driven by playwright-core). Time is the one
 * seam: the service runs on a manual clock and the page's clock is set to
 * the same instant.
 */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { it } from '@jest/globals';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
} from 'playwright-core';

import {
  loadConfiguration,
  ManualClock,
  type RunningService,
  startService,
} from '@mas/api';
import { parseInstitutionProfile } from '@mas/protocol';

export const T0 = '2026-03-01T08:00:00.000Z';
const root = join(import.meta.dirname, '../..');
/** Where the browser tests write their screenshots (named in the README). */
export const SCREENSHOTS = join(root, 'reports/screenshots');
export const PASSWORD = 'correct horse battery staple';
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export interface BrowserHarness {
  readonly service: RunningService;
  readonly clock: ManualClock;
  readonly browser: Browser;
  /** A fresh browser context (its own session storage) with the page clock at the service's time. */
  newPage(viewport?: { width: number; height: number }): Promise<{
    context: BrowserContext;
    page: Page;
  }>;
  close(): Promise<void>;
}

export function chromiumProblem(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `no Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium)`;
}

export async function startBrowserHarness(): Promise<BrowserHarness> {
  const webDir = join(root, 'dist/web');
  if (!existsSync(join(webDir, 'index.html'))) {
    throw new Error(
      `no built web app in ${webDir}: run \`npx nx run web:build\` (npm test does)`,
    );
  }
  const profile = parseInstitutionProfile(
    JSON.parse(
      readFileSync(
        join(root, 'libs/protocol/profiles/example.profile.json'),
        'utf8',
      ),
    ),
  );
  const dir = mkdtempSync(join(tmpdir(), 'mas-web-e2e-'));
  const clock = new ManualClock(new Date(T0));
  const service = await startService({
    config: loadConfiguration({
      PORT: '0',
      SQLITE_PATH: join(dir, 'web-e2e.sqlite'),
      SCHEDULER_INTERVAL_MS: '0',
      // Tokens expire on the service's clock, which the tests move by hours.
      TOKEN_TTL_SECONDS: String(30 * 86_400),
      WEB_DIR: webDir,
    }),
    clock,
    profile,
    jwtSecret: randomBytes(32).toString('hex'),
  });
  for (const [username, role] of [
    ['dr-adams', 'clinician'],
    ['dr-baker', 'senior'],
    ['dr-chen', 'senior'],
    ['auditor-ames', 'auditor'],
    ['trainee-tan', 'trainee'],
  ] as const) {
    await service.users.create(username, PASSWORD, role);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    service,
    clock,
    browser,
    async newPage(viewport = { width: 1280, height: 800 }) {
      const context = await browser.newContext({ viewport });
      await context.clock.setFixedTime(clock.now());
      const page = await context.newPage();
      return { context, page };
    },
    async close() {
      await browser.close();
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form. */
export async function signIn(
  page: Page,
  url: string,
  username: string,
): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(`${username} (`).waitFor();
}

/** Skips the browser tests, saying why, where no Chromium is installed. */
export function browserTestsOrSkip(): { maybe: typeof it.skip } {
  const problem = chromiumProblem();
  if (problem) console.warn(`browser tests skipped: ${problem}`);
  return { maybe: problem ? it.skip : it };
}

/** Presses the open form's "Record <type>" and waits for the answer. */
export async function record(page: Page, type: string): Promise<void> {
  await page
    .locator('.event-form')
    .getByRole('button', { name: `Record ${type}`, exact: true })
    .click();
  await page.getByText('Recorded.').waitFor();
}
