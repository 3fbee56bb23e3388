/**
 * What the form specs share: the example profile, the options the machine
 * offers a clinician on a freshly suspected episode, and a rendered form.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect, jest } from '@jest/globals';
import { fireEvent, render } from '@testing-library/react';
import axe from 'axe-core';
import { initialTransition } from 'xstate';

import type { Patient } from '@mas/contracts';
import {
  type EventOption,
  explainSnapshot,
  masEpisodeMachine,
} from '@mas/mas-episode';
import { parseInstitutionProfile } from '@mas/protocol';
import { ben } from '@mas/testing';

import type { Feedback, Submission } from '../episode/episode-page.machine.js';
import { EventForm } from '../episode/event-form.js';

export const NOW = '2026-03-01T08:00:00.000Z';

export const profile = parseInstitutionProfile(
  JSON.parse(
    readFileSync(
      join(
        import.meta.dirname,
        '../../../../libs/protocol/profiles/example.profile.json',
      ),
      'utf8',
    ),
  ),
);

/** What the machine offers (allowed or blocked) a clinician, for `patient`. */
export function offered(
  type: string,
  variant?: string,
  patient: Patient = ben,
): EventOption {
  const [snapshot] = initialTransition(masEpisodeMachine, {
    episodeId: 'e-1',
    patient,
    openedAt: NOW,
    initialStage: 'suspected',
    profile,
  });
  const options = explainSnapshot(snapshot, {
    actor: { id: 'dr-adams', role: 'clinician' },
  });
  const option = [...options.allowed, ...options.blocked].find(
    (o) => o.type === type && (variant === undefined || o.variant === variant),
  );
  if (!option) {
    throw new Error(`the machine offers no ${type} ${variant ?? ''}`);
  }
  return option;
}

/** Renders one event's form; `rerender` gives it a new page answer. */
export function renderForm(option: EventOption, patient: Patient = ben) {
  const onSubmit = jest.fn<(submission: Submission) => void>();
  const element = (feedback: Feedback | null) => (
    <EventForm
      option={option}
      patient={patient}
      profile={profile}
      busy={false}
      now={NOW}
      feedback={feedback}
      onSubmit={onSubmit}
      onCancel={() => undefined}
    />
  );
  const view = render(element(null));
  return {
    onSubmit,
    /** The page's answer to what the form sent. */
    answer: (feedback: Feedback) => {
      view.rerender(element(feedback));
    },
  };
}

/** Chooses the option of a select by its text (the form library's values are indices). */
export function choose(select: HTMLElement, text: string): void {
  const option = [...(select as HTMLSelectElement).options].find(
    (o) => o.text === text,
  );
  if (!option) throw new Error(`no option "${text}"`);
  fireEvent.change(select, { target: { value: option.value } });
}

/** The one payload the form sent. */
export function sent(
  onSubmit: ReturnType<typeof renderForm>['onSubmit'],
): Record<string, unknown> {
  expect(onSubmit).toHaveBeenCalledTimes(1);
  const [submission] = onSubmit.mock.calls[0] ?? [];
  return (submission?.payload ?? {}) as Record<string, unknown>;
}

/**
 * The accessibility violations axe-core finds in the document (colour
 * contrast is left to the browser tests: jsdom does not paint).
 */
export async function axeViolations(): Promise<
  { id: string; nodes: string[] }[]
> {
  // axe-core asks for a canvas (icon ligatures); jsdom has none.
  Object.defineProperty(HTMLCanvasElement.prototype, 'getContext', {
    configurable: true,
    value: () => null,
  });
  const results = await axe.run(document.body, {
    rules: { 'color-contrast': { enabled: false } },
  });
  return results.violations.map((violation) => ({
    id: violation.id,
    nodes: violation.nodes.map((node) => node.html).slice(0, 3),
  }));
}
