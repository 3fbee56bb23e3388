import { describe, expect, it, jest } from '@jest/globals';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { initialTransition } from 'xstate';

import type { EpisodeActor } from '@mas/contracts';
import {
  type EventOption,
  explainSnapshot,
  masEpisodeMachine,
  recommendNextSteps,
  stepEpisode,
} from '@mas/mas-episode';
import { ben } from '@mas/testing';

import { NOW, profile } from '../testing/event-form.testing.js';
import { ActionPanel } from './action-panel.js';
import { userOptions } from './episode.model.js';
import { recommendedViews } from './recommended-steps.model.js';

const T0 = '2026-03-01T08:00:00.000Z';
const clinician: EpisodeActor = { id: 'dr-adams', role: 'clinician' };
const senior: EpisodeActor = { id: 'dr-chen', role: 'senior-clinician' };

/** Ben's episode on suspicion, after the given events (at T0 + 30 min). */
function episode(
  ...events: {
    type: string;
    payload: unknown;
    actor?: EpisodeActor;
    rationale?: string;
  }[]
) {
  let [snapshot] = initialTransition(masEpisodeMachine, {
    episodeId: 'e-next',
    patient: ben,
    openedAt: T0,
    initialStage: 'suspected',
    profile,
  });
  for (const event of events) {
    [snapshot] = stepEpisode(snapshot, {
      actor: clinician,
      ...event,
      at: '2026-03-01T08:30:00.000Z',
    } as Parameters<typeof stepEpisode>[1]);
  }
  return snapshot;
}

/** The action panel as the episode page builds it, for `viewer`. */
function renderPanel(
  snapshot: ReturnType<typeof episode>,
  viewer: EpisodeActor | null,
  onChoose = jest.fn<(option: EventOption | null) => void>(),
) {
  const explanation = explainSnapshot(
    snapshot,
    viewer ? { actor: viewer } : {},
  );
  const allowed = viewer ? userOptions(explanation.allowed) : [];
  const blocked = userOptions(explanation.blocked);
  const recommended = recommendedViews(
    recommendNextSteps(snapshot, { allowed, blocked }),
    viewer !== null,
  );
  render(
    <ActionPanel
      allowed={allowed}
      blocked={blocked}
      requests={[]}
      recommended={recommended}
      chosen={null}
      canAct={viewer !== null}
      patient={ben}
      profile={profile}
      busy={false}
      now={NOW}
      onChoose={onChoose}
      onSubmit={jest.fn()}
    />,
  );
  return {
    onChoose,
    region: screen.getByRole('region', { name: /Recommended next step/ }),
  };
}

describe('the recommended next step, first in the action panel', () => {
  it('on suspicion: the methylprednisolone pulse, in clinical words, opening its form [seed.initial.1]', () => {
    const { onChoose, region } = renderPanel(episode(), clinician);
    const buttons = within(region).getAllByRole('button');
    expect(buttons).toHaveLength(1);
    expect(buttons[0]?.textContent).toMatch(/methylprednisolone/i);
    expect(region.textContent).not.toMatch(/therapy\.started/);
    expect(region.textContent).toContain('seed.initial.1');
    expect(region.textContent).toMatch(/decision support/);
    fireEvent.click(buttons[0] as HTMLElement);
    expect(onChoose).toHaveBeenCalledTimes(1);
    const chosen = onChoose.mock.calls[0]?.[0];
    expect(chosen?.type).toBe('therapy.started');
    expect(chosen?.variant).toBe('methylprednisolone');
  });

  it("severe MAS: the combination's forms open with the step's rationale filled in [seed.second-line.5]", () => {
    const { onChoose, region } = renderPanel(
      episode({
        type: 'severity.assessed',
        payload: { severe: true, rapidlyWorsening: true },
      }),
      clinician,
    );
    const buttons = within(region).getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toHaveLength(3);
    fireEvent.click(buttons[1] as HTMLElement);
    const chosen = onChoose.mock.calls[0]?.[0] as
      (EventOption & { rationale?: string }) | undefined;
    expect(chosen?.variant).toBe('anakinra');
    expect(chosen?.status).toBe('allowed-with-rationale');
    expect(chosen?.rationale).toBe('severe MAS: combination up front');
  });

  it('a role that does not record sees the advice without buttons', () => {
    // An auditor's session acts as no one (the page gives no actor).
    const { region } = renderPanel(episode(), null);
    expect(within(region).queryAllByRole('button')).toHaveLength(0);
    expect(region.textContent).toMatch(/methylprednisolone/i);
    expect(region.textContent).toContain('not for your role to record');
  });

  it('a CNS decision opens with the choice the protocol suggests [seed.initial.2]', () => {
    const { onChoose, region } = renderPanel(
      episode({
        type: 'labs.recorded',
        payload: {
          panel: { cnsInvolvement: true },
          collectedAt: '2026-03-01T08:15:00.000Z',
        },
      }),
      clinician,
    );
    fireEvent.click(within(region).getAllByRole('button')[0] as HTMLElement);
    const chosen = onChoose.mock.calls[0]?.[0];
    expect(chosen?.type).toBe('decision.recorded');
    expect((chosen?.examplePayload as { choice?: string }).choice).toBe(
      'dexamethasone',
    );
  });

  it("a pending request: the second senior's decision first, its form with no rationale written for them [seed.refractory.1]", () => {
    const requester: EpisodeActor = {
      id: 'dr-baker',
      role: 'senior-clinician',
    };
    const screening = (kind: string) => ({
      type: 'screening.recorded',
      payload: { kind, result: 'done' },
      actor: requester,
    });
    const { onChoose, region } = renderPanel(
      episode(
        screening('tb-screening'),
        screening('zoster-prophylaxis'),
        screening('pjp-prophylaxis'),
        screening('fungal-prophylaxis'),
        {
          type: 'severity.assessed',
          payload: { severe: true, rapidlyWorsening: true },
        },
        {
          type: 'escalation.requested',
          payload: {
            requestId: 'r-1',
            drug: 'emapalumab',
            evidence: ['seed.refractory.1'],
          },
          actor: requester,
          rationale: 'rapidly worsening despite the pulse',
        },
      ),
      senior,
    );
    const first = within(region).getAllByRole('button')[0] as HTMLElement;
    expect(first.textContent).toMatch(/approve/i);
    expect(first.textContent).toMatch(/emapalumab/i);
    fireEvent.click(first);
    const chosen = onChoose.mock.calls[0]?.[0] as
      (EventOption & { rationale?: string }) | undefined;
    expect(chosen?.type).toBe('escalation.approved');
    expect((chosen?.examplePayload as { requestId?: string }).requestId).toBe(
      'r-1',
    );
    expect(chosen?.rationale).toBeUndefined();
  });
});
