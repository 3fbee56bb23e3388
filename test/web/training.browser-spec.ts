/**
 * A trainee runs one training scenario in real Chromium to its debrief:
 * start it, record the virtual patient's labs, treat, move the virtual clock,
 * reassess, and read the debrief beside the protocol policy's course.
 */
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect } from '@jest/globals';

import {
  type BrowserHarness,
  browserTestsOrSkip,
  chromiumProblem,
  rawIds,
  record,
  SCREENSHOTS,
  signIn,
  startBrowserHarness,
} from './browser-harness.js';

const problem = chromiumProblem();
const { maybe } = browserTestsOrSkip();

describe('training in Chromium', () => {
  let harness: BrowserHarness;

  beforeAll(async () => {
    if (problem) return;
    harness = await startBrowserHarness();
  }, 120_000);

  afterAll(async () => {
    if (!problem) await harness.close();
  });

  maybe(
    'a trainee runs an infection-triggered scenario to its debrief',
    async () => {
      const { context, page } = await harness.newPage();
      await signIn(page, harness.service.url, 'trainee-tan');
      await page
        .getByRole('heading', { name: 'Start a training scenario' })
        .waitFor();
      await page
        .locator('select[name="scenarioId"]')
        .selectOption('infection-triggered');
      await page.getByLabel('Seed (optional)').fill('5');
      await page.getByRole('button', { name: 'Start' }).click();
      await page
        .getByRole('heading', { name: /Training: Infection-triggered MAS/ })
        .waitFor();
      await expect(
        page
          .getByText(/MODEL OUTPUT, never evidence/)
          .first()
          .isVisible(),
      ).resolves.toBe(true);
      await page.getByText(/Virtual time:.*hour 0/).waitFor();

      // The virtual patient's labs, recorded with the same form as on the ward.
      await page.getByRole('button', { name: 'Record these labs' }).click();
      await expect(
        page.locator('#root_panel_ferritin_value').inputValue(),
      ).resolves.not.toBe('');
      await record(page);
      await page
        .locator('section.actions')
        .getByRole('button', {
          name: 'Confirm MAS on the classification criteria',
          exact: true,
        })
        .click();
      await record(page);
      await page
        .locator('section.actions')
        .getByRole('button', {
          name: 'Start methylprednisolone',
          exact: true,
        })
        .click();
      await record(page);

      // Twelve virtual hours later: the infection result is in; reassess.
      await page.getByRole('button', { name: '+12 h' }).click();
      await page.getByText(/Virtual time:.*hour 12/).waitFor();
      await page.getByText('bacterial infection found').waitFor();
      await page.getByRole('button', { name: 'Record these labs' }).click();
      await page
        .locator('#event-form-title')
        .getByText('Record the reassessment (labs and response)')
        .waitFor();
      await record(page);

      await page.getByRole('button', { name: 'Debrief' }).click();
      const debrief = page.locator('section.debrief');
      await debrief.waitFor();
      const heading = await debrief.getByRole('heading').textContent();
      expect(heading).toMatch(
        /Debrief: \d+\/\d+ \(protocol policy, same seed: \d+\/\d+\)/,
      );
      const text = await debrief.textContent();
      expect(text).toMatch(/First glucocorticoid within the institution limit/);
      expect(text).toMatch(/seed\.initial\.3/);
      await page.screenshot({
        path: join(SCREENSHOTS, 'training-debrief.png'),
        fullPage: true,
      });
      expect(await rawIds(page)).toEqual([]);
      await context.close();
    },
  );
});
