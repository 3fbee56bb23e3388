/**
 * The real service on a fresh SQLite file, serving the built web app, and
 * one real Chromium (Debian's, driven by playwright-core). Time is the one
 * seam: the service runs on a manual clock and the page's clock is set to
 * the same instant.
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AxeBuilder } from '@axe-core/playwright';
import { it } from '@jest/globals';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
} from 'playwright-core';

import {
  ephemeralKeys,
  loadConfiguration,
  ManualClock,
  MIN_SCRYPT_COST,
  type RunningService,
  startService,
} from '@mas/api';
import { payloadSchemas } from '@mas/contracts';
import { alertLabels, parseInstitutionProfile } from '@mas/protocol';

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
  newPage(
    viewport?: { width: number; height: number },
    /** The browser's time zone (default: the machine's, UTC in CI). */
    timezoneId?: string,
  ): Promise<{
    context: BrowserContext;
    page: Page;
  }>;
  /**
   * Moves time on by `ms`: the service's clock and every open page's (a
   * form's "given at" or "sample drawn at" defaults to the page's now).
   */
  advance(ms: number): Promise<void>;
  /**
   * What Chromium reported against the service's content security policy on
   * every page opened so far (each a console error).
   */
  readonly cspViolations: readonly string[];
  /** How many pages were opened. */
  readonly pagesOpened: number;
  close(): Promise<void>;
}

export function chromiumProblem(): string | null {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return null;
  } catch {
    return `no Chromium at ${CHROMIUM}`;
  }
}

/**
 * What a suite that needs Chromium does: run; or, where none is installed,
 * skip with a printed reason on a developer's machine, and fail under CI (a
 * missing browser never makes a green total there).
 */
export type Requirement =
  | { readonly mode: 'run' }
  | { readonly mode: 'skip'; readonly reason: string }
  | { readonly mode: 'fail'; readonly reason: string };

/** Whether the environment is CI (`CI` set to anything but "", "0" or "false"). */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['CI']?.trim().toLowerCase();
  return (
    value !== undefined && value !== '' && value !== '0' && value !== 'false'
  );
}

/** The one decision for Chromium: `problem` is `chromiumProblem()`'s answer. */
export function decideChromium(
  problem: string | null,
  env: NodeJS.ProcessEnv = process.env,
): Requirement {
  if (problem === null) return { mode: 'run' };
  return isCi(env)
    ? {
        mode: 'fail',
        reason:
          `Chromium is required when CI is set: ${problem}. Install Debian's ` +
          '(`apt-get update && apt-get install -y chromium`; `bash .ci/run` does), ' +
          'or point CHROMIUM_PATH at one.',
      }
    : {
        mode: 'skip',
        reason: `browser tests skipped: ${problem}. Install Debian's chromium to run them (CI fails instead of skipping).`,
      };
}

/** A test registrar: `it`, or a stand-in recording what it is given. */
export interface Registrar {
  (name: string, fn: () => Promise<unknown>, timeout?: number): void;
  skip(name: string, fn: () => Promise<unknown>, timeout?: number): void;
}

/** A test's body (synchronous or not). */
type TestBody = () => unknown;

/**
 * `it` for a test that needs Chromium: the test itself when it runs,
 * `it.skip` when it skips, and in its place a failing test that names what
 * is missing and how to get it when it fails.
 */
export function testUnder(
  requirement: Requirement,
  register: Registrar = it,
): (name: string, fn: TestBody, timeout?: number) => void {
  switch (requirement.mode) {
    case 'run':
      return (name, fn, timeout) => {
        register(
          name,
          async () => {
            await fn();
          },
          timeout,
        );
      };
    case 'skip':
      return (name, fn, timeout) => {
        register.skip(
          name,
          async () => {
            await fn();
          },
          timeout,
        );
      };
    case 'fail':
      return (name) => {
        register(name, () => Promise.reject(new Error(requirement.reason)));
      };
  }
}

export async function startBrowserHarness(
  options: {
    /** Configuration over the harness's own (single sign-on, a fixed port). */
    readonly env?: Record<string, string>;
  } = {},
): Promise<BrowserHarness> {
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
      // Sessions idle while the tests move the clock by hours.
      SESSION_IDLE_SECONDS: String(30 * 86_400),
      // The suites sign in many times a minute from one address.
      LOGIN_RATE_PER_MINUTE: '100000',
      EXPENSIVE_RATE_PER_MINUTE: '100000',
      // Passwords hashed at scrypt's lowest work factor (every test signs in).
      PASSWORD_SCRYPT_COST: String(MIN_SCRYPT_COST),
      ...options.env,
    }),
    clock,
    profile,
    keys: ephemeralKeys(),
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
  const open = new Set<BrowserContext>();
  const cspViolations: string[] = [];
  let pagesOpened = 0;
  return {
    service,
    clock,
    browser,
    cspViolations,
    get pagesOpened() {
      return pagesOpened;
    },
    async newPage(viewport = { width: 1280, height: 800 }, timezoneId) {
      const context = await browser.newContext({
        viewport,
        ...(timezoneId === undefined ? {} : { timezoneId }),
      });
      open.add(context);
      context.on('close', () => open.delete(context));
      await context.clock.setFixedTime(clock.now());
      const page = await context.newPage();
      pagesOpened += 1;
      page.on('console', (message) => {
        // A refusal by the policy, reported as an error by Chromium, or
        // caught by a library and logged as a warning (a validator that
        // compiles code with eval, which the policy forbids, says "Error
        // compiling schema ... 'unsafe-eval'", and its fields never show).
        if (
          (message.type() === 'error' || message.type() === 'warning') &&
          /content security policy|unsafe-eval|error compiling schema/i.test(
            message.text(),
          )
        ) {
          cspViolations.push(message.text());
        }
      });
      return { context, page };
    },
    async advance(ms: number) {
      clock.advance(ms);
      for (const context of open) {
        await context.clock.setFixedTime(clock.now());
      }
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

/**
 * `maybe`, the `it` of the browser tests: they run where Chromium is
 * installed; where it is not they skip, saying why, on a developer's machine,
 * and fail, naming what is missing, under CI.
 */
export function browserTestsOrSkip(): {
  maybe: ReturnType<typeof testUnder>;
} {
  const requirement = decideChromium(chromiumProblem());
  if (requirement.mode !== 'run') console.warn(requirement.reason);
  return { maybe: testUnder(requirement) };
}

/** Presses the open form's "Record" and waits for the answer. */
export async function record(page: Page): Promise<void> {
  await page
    .locator('.event-form')
    .getByRole('button', { name: 'Record', exact: true })
    .click();
  await page.getByText('Recorded.').waitFor();
  // "Recorded." shows as the episode is read again: what a test reads next
  // is the episode once that read has ended.
  await page.locator('.episode-view[aria-busy="false"]').waitFor();
}

/** Ids a page must never show people: event types, state paths, alert ids, UCUM codes. */
const RAW_IDS: readonly RegExp[] = [
  new RegExp(
    `(?<![\\w.-])(?:${Object.keys(payloadSchemas)
      .map((type) => type.replace(/[.]/g, '\\.'))
      .join('|')})(?![\\w-])`,
  ),
  /\bmasEpisode\./,
  new RegExp(`(?<![\\w-])(?:${Object.keys(alertLabels).join('|')})(?![\\w-])`),
  /\b10\*\d|\bumol\/|\bug\/m?L\b|\bCel\b|\bmg\/m2\b/,
];

/**
 * Every raw id a person could read on the page: in its visible text, in the
 * names screen readers announce (aria-label) and in tooltips (title). Each
 * with a little of the text around it.
 */
export async function rawIds(page: Page): Promise<string[]> {
  const texts = await page.evaluate(() => [
    document.body.innerText,
    ...Array.from(document.querySelectorAll('[aria-label], [title]')).flatMap(
      (element) => [
        element.getAttribute('aria-label') ?? '',
        element.getAttribute('title') ?? '',
      ],
    ),
  ]);
  const found: string[] = [];
  for (const text of texts) {
    for (const pattern of RAW_IDS) {
      const match = pattern.exec(text);
      if (match) {
        found.push(
          `"${match[0]}" in "…${text.slice(Math.max(0, match.index - 40), match.index + 40)}…"`,
        );
      }
    }
  }
  return [...new Set(found)];
}

/** The serious and critical accessibility violations axe-core finds. */
export async function axeProblems(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}

/**
 * Laboratory values meeting the 2016 criteria (fever and findings apart):
 * ferritin > 684 ng/mL and more than two of the rest, as a form takes them.
 */
export const floridLabValues: Readonly<Record<string, [number, string]>> = {
  ferritin: [12000, 'ng/mL'],
  platelets: [95, '10*9/L'],
  ast: [180, 'U/L'],
  triglycerides: [290, 'mg/dL'],
  fibrinogen: [140, 'mg/dL'],
};
