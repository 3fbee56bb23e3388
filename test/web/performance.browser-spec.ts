/**
 * What the ward's browser downloads and how long it is kept busy, measured
 * in real Chromium against the real service: the first page's scripts
 * (compressed as served) within the budget, the episode page's code loaded
 * only when an episode opens, and the longest main-thread tasks while it
 * opens (printed: a figure, not a timed test).
 */
import { afterAll, beforeAll, describe, expect } from '@jest/globals';
import type { Page } from 'playwright-core';

import { amira } from '@mas/testing';

import {
  type BrowserHarness,
  browserTestsOrSkip,
  chromiumProblem,
  signIn,
  startBrowserHarness,
} from './browser-harness.js';

const problem = chromiumProblem();
const { maybe } = browserTestsOrSkip();

/** The first page's JavaScript budget, compressed as sent (issue 16). */
const FIRST_PAGE_SCRIPT_BUDGET_BYTES = 350 * 1024;

interface Transfer {
  readonly url: string;
  /** The body as sent (compressed), in bytes. */
  readonly bytes: number;
  readonly encoding: string;
}

/** Records every script the page fetches, with its size on the wire. */
function watchScripts(page: Page): Transfer[] {
  const seen: Transfer[] = [];
  page.on('requestfinished', (request) => {
    if (!request.url().endsWith('.js')) return;
    void Promise.all([request.sizes(), request.response()]).then(
      ([sizes, response]) => {
        seen.push({
          url: request.url(),
          bytes: sizes.responseBodySize,
          encoding: response?.headers()['content-encoding'] ?? 'identity',
        });
      },
    );
  });
  return seen;
}

describe('what the browser downloads and runs', () => {
  let harness: BrowserHarness;

  beforeAll(async () => {
    if (problem) return;
    harness = await startBrowserHarness();
  }, 120_000);

  afterAll(async () => {
    if (!problem) await harness.close();
  });

  maybe(
    'the first page stays within its script budget, compressed; the episode page loads its code when opened',
    async () => {
      // A browser of its own clock (the harness's pages run on a fixed
      // clock, which stops the browser's own measurements of time).
      const context = await harness.browser.newContext({
        viewport: { width: 1280, height: 800 },
      });
      const page = await context.newPage();
      const fetched = watchScripts(page);
      await page.addInitScript(() => {
        const tasks: number[] = [];
        (window as unknown as { longTasks: number[] }).longTasks = tasks;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) tasks.push(entry.duration);
        }).observe({ type: 'longtask', buffered: true });
      });
      await signIn(page, harness.service.url, 'dr-adams');
      await page
        .getByRole('heading', { name: 'Board: open episodes' })
        .waitFor();
      await page.waitForLoadState('networkidle');
      const first = [...fetched];
      const firstBytes = first.reduce((sum, s) => sum + s.bytes, 0);
      expect(first.length).toBeGreaterThan(0);
      // Compressed at build time, sent as the browser accepts (Brotli for
      // Chromium on a secure context such as this loopback address).
      expect(first.filter((s) => !['br', 'gzip'].includes(s.encoding))).toEqual(
        [],
      );
      expect(first.some((s) => /episode-page/.test(s.url))).toBe(false);
      expect(firstBytes).toBeLessThanOrEqual(FIRST_PAGE_SCRIPT_BUDGET_BYTES);

      // An episode opened: its page's code arrives then.
      const created = await page.evaluate(
        async (patient) => {
          const session = (await (await fetch('/api/auth/session')).json()) as {
            csrf: string;
          };
          const response = await fetch('/api/episodes', {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-mas-csrf': session.csrf,
            },
            body: JSON.stringify({ patient }),
          });
          return (await response.json()) as { id: string };
        },
        { ...amira, identifier: 'SYN-PERF-1' },
      );
      await page.evaluate(() => {
        (window as unknown as { longTasks: number[] }).longTasks.length = 0;
      });
      await page.goto(`${harness.service.url}/#/episodes/${created.id}`);
      await page.getByRole('heading', { name: /SYN-PERF-1/ }).waitFor();
      await page.getByText('Show the full statechart').click();
      await page.locator('.react-flow__node').first().waitFor();
      await page.waitForLoadState('networkidle');
      const episodeBytes = fetched
        .filter((s) => /episode-page/.test(s.url))
        .reduce((sum, s) => sum + s.bytes, 0);
      expect(episodeBytes).toBeGreaterThan(0);
      const longTasks = await page.evaluate(
        () => (window as unknown as { longTasks: number[] }).longTasks,
      );
      console.log(
        [
          `first page: ${String(first.length)} script(s), ${(firstBytes / 1024).toFixed(0)} KB as sent (budget ${String(FIRST_PAGE_SCRIPT_BUDGET_BYTES / 1024)} KB, ratio ${(firstBytes / FIRST_PAGE_SCRIPT_BUDGET_BYTES).toFixed(2)})`,
          `episode page: ${(episodeBytes / 1024).toFixed(0)} KB more, loaded when an episode opens`,
          `opening an episode and its full statechart: ${String(longTasks.length)} main-thread task(s) over 50 ms, longest ${Math.max(0, ...longTasks).toFixed(0)} ms (target: none over 100 ms)`,
        ].join('\n'),
      );
      await context.close();
    },
  );
});
