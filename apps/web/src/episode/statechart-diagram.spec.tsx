import { describe, expect, it, jest } from '@jest/globals';
import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import axe from 'axe-core';

import { masEpisodeMachine } from '@mas/mas-episode';

import {
  diagramHighlights,
  StatechartDiagram,
  type StatechartDiagramProps,
} from './statechart-diagram.js';
import {
  collapseGraph,
  collapsibleStateIds,
  eventHighlight,
  eventText,
  formatSince,
  type LaidOutState,
  masEpisodeGraph,
  masEpisodeLayout,
  shownStateOf,
  statechartGraph,
  stateHighlight,
  stateText,
} from './statechart-diagram.model.js';

// jsdom has neither ResizeObserver nor DOMMatrixReadOnly, which xyflow uses.
class ResizeObserverStub {
  observe(): void {
    /* nothing to observe in jsdom */
  }
  unobserve(): void {
    /* nothing */
  }
  disconnect(): void {
    /* nothing */
  }
}
class DOMMatrixReadOnlyStub {
  readonly m22: number;
  constructor(transform?: string) {
    const scale = /scale\(([\d.]+)\)/.exec(transform ?? '');
    this.m22 = scale?.[1] === undefined ? 1 : Number(scale[1]);
  }
}
Object.assign(globalThis, {
  ResizeObserver: ResizeObserverStub,
  DOMMatrixReadOnly: DOMMatrixReadOnlyStub,
});
// axe-core asks for a canvas (icon ligatures); jsdom has none.
Object.defineProperty(HTMLCanvasElement.prototype, 'getContext', {
  value: () => null,
});

const TREATMENT = 'masEpisode.open.treatment';
const FIRST_LINE = 'masEpisode.open.treatment.active.firstLine';
const SUSPECTED = 'masEpisode.open.diagnosis.suspected';
const ACTIVE_IDS = [
  'masEpisode',
  'masEpisode.open',
  'masEpisode.open.diagnosis',
  SUSPECTED,
  TREATMENT,
  'masEpisode.open.treatment.active',
  FIRST_LINE,
];

function props(
  overrides: Partial<StatechartDiagramProps> = {},
): StatechartDiagramProps {
  return {
    activeStateIds: ACTIVE_IDS,
    visited: [
      {
        stateId: 'masEpisode.open.diagnosis.atRisk',
        at: '2025-02-28T20:00:00Z',
      },
      { stateId: SUSPECTED, at: '2025-03-01T08:00:00Z' },
      { stateId: FIRST_LINE, at: '2025-03-01T09:30:00Z' },
    ],
    allowedEvents: [
      { type: 'workup.started' },
      { type: 'labs.recorded' },
      { type: 'therapy.started', variant: 'methylprednisolone' },
    ],
    blockedEvents: [
      {
        type: 'diagnosis.confirmed',
        reason: 'Fewer than the required criteria are met.',
      },
      {
        type: 'therapy.started',
        variant: 'emapalumab',
        reason: 'Refractory therapy needs a second senior.',
      },
    ],
    onChooseEvent: () => undefined,
    ...overrides,
  };
}

/** The box of every laid-out state, in absolute coordinates. */
function absoluteBoxes(states: readonly LaidOutState[]) {
  const boxes = new Map<
    string,
    { x: number; y: number; width: number; height: number }
  >();
  for (const state of states) {
    const parent =
      state.parentId === undefined ? undefined : boxes.get(state.parentId);
    boxes.set(state.id, {
      x: (parent?.x ?? 0) + state.position.x,
      y: (parent?.y ?? 0) + state.position.y,
      width: state.width,
      height: state.height,
    });
  }
  return boxes;
}

describe('diagramHighlights', () => {
  it('marks the active states and no others', () => {
    const highlights = diagramHighlights(props());
    expect(stateHighlight(highlights, FIRST_LINE).active).toBe(true);
    expect(stateHighlight(highlights, TREATMENT).active).toBe(true);
    expect(
      stateHighlight(highlights, 'masEpisode.open.treatment.active.escalated')
        .active,
    ).toBe(false);
    expect(
      stateHighlight(highlights, 'masEpisode.open.diagnosis.atRisk').active,
    ).toBe(false);
  });

  it('keeps the time each state was first entered', () => {
    const highlights = diagramHighlights(
      props({
        visited: [
          { stateId: FIRST_LINE, at: '2025-03-02T10:00:00Z' },
          { stateId: FIRST_LINE, at: '2025-03-01T09:30:00Z' },
          { stateId: SUSPECTED, at: '2025-03-01T08:00:00Z' },
        ],
      }),
    );
    expect(stateHighlight(highlights, FIRST_LINE).visitedAt).toBe(
      '2025-03-01T09:30:00Z',
    );
    expect(stateHighlight(highlights, SUSPECTED).visitedAt).toBe(
      '2025-03-01T08:00:00Z',
    );
    expect(stateHighlight(highlights, TREATMENT).visitedAt).toBeUndefined();
  });

  it('classifies events as allowed, blocked or neutral', () => {
    const highlights = diagramHighlights(props());
    expect(eventHighlight(highlights, 'workup.started')).toEqual({
      status: 'allowed',
      variants: [],
      blocked: [],
    });
    expect(eventHighlight(highlights, 'diagnosis.confirmed')).toEqual({
      status: 'blocked',
      blocked: [
        {
          variant: undefined,
          label: 'Confirm MAS',
          reason: 'Fewer than the required criteria are met.',
        },
      ],
    });
    // Allowed in one variant: the user may send it; the blocked variant stays.
    expect(eventHighlight(highlights, 'therapy.started')).toEqual({
      status: 'allowed',
      variants: ['methylprednisolone'],
      blocked: [
        {
          variant: 'emapalumab',
          label: 'Start emapalumab',
          reason: 'Refractory therapy needs a second senior.',
        },
      ],
    });
    expect(eventHighlight(highlights, 'clock.ticked')).toEqual({
      status: 'neutral',
    });
    expect(eventHighlight(highlights, null)).toEqual({ status: 'neutral' });
  });

  it('formats the time of first entry in UTC', () => {
    expect(formatSince('2025-03-01T08:00:00Z')).toBe('01 Mar 08:00 UTC');
    expect(formatSince('2025-03-01T23:30:00-02:00')).toBe('02 Mar 01:30 UTC');
    expect(formatSince('not a time')).toBe('not a time');
  });
});

describe('statechartGraph', () => {
  const graph = masEpisodeGraph();
  const byId = new Map(graph.states.map((state) => [state.id, state]));

  it('has every state node of the machine, parents before children', () => {
    const ids = graph.states.map((state) => state.id);
    expect(ids[0]).toBe('masEpisode');
    for (const id of [SUSPECTED, FIRST_LINE, 'masEpisode.closed']) {
      expect(ids).toContain(id);
    }
    expect(ids).toHaveLength(new Set(ids).size);
    const beforeParent = graph.states.filter(
      (state, index) =>
        state.parentId !== undefined && ids.indexOf(state.parentId) >= index,
    );
    expect(beforeParent).toEqual([]);
    expect(Object.keys(masEpisodeMachine.root.states)).toEqual(
      graph.states
        .filter((state) => state.parentId === 'masEpisode')
        .map((state) => state.key),
    );
  });

  it('knows parallel states, their regions and final states', () => {
    expect(byId.get('masEpisode.open')?.kind).toBe('parallel');
    expect(byId.get('masEpisode.open.diagnosis')?.isRegion).toBe(true);
    expect(byId.get('masEpisode.open.treatment.active')?.isRegion).toBe(false);
    expect(byId.get('masEpisode.died')?.kind).toBe('final');
    expect(byId.get('masEpisode.open.treatment.active.history')?.kind).toBe(
      'history',
    );
  });

  it('turns targeted transitions into edges and targetless ones into chips', () => {
    const edges = graph.transitions.map(
      (t) => `${t.sourceId} -${t.event ?? '(always)'}-> ${t.targetId}`,
    );
    expect(edges).toContain(
      `${SUSPECTED} -workup.started-> masEpisode.open.diagnosis.workUp`,
    );
    expect(edges).toContain(
      `${SUSPECTED} -diagnosis.excluded-> masEpisode.excluded`,
    );
    expect(edges).toContain(
      'masEpisode.open.treatment.remission -relapse.recorded-> masEpisode.open.treatment.active.history',
    );
    expect(edges).toContain(
      'masEpisode.open.support.none -(always)-> masEpisode.open.support.active',
    );
    // Targetless: handled in place, no edge.
    expect(byId.get('masEpisode.open')?.inPlaceEvents).toContain(
      'labs.recorded',
    );
    expect(edges.some((edge) => edge.includes('-labs.recorded->'))).toBe(false);
    expect(new Set(graph.transitions.map((t) => t.id)).size).toBe(
      graph.transitions.length,
    );
  });

  it('works on any state-node tree', () => {
    const leaf = (id: string, key: string) => ({
      id,
      key,
      type: 'atomic' as const,
      states: {},
      transitions: new Map(),
    });
    const a = leaf('m.a', 'a');
    const b = leaf('m.b', 'b');
    const graph2 = statechartGraph({
      id: 'm',
      key: 'm',
      type: 'compound',
      states: {
        a: { ...a, transitions: new Map([['go', [{ target: [b] }]]]) },
        b: { ...b, transitions: new Map([['stay', [{ target: undefined }]]]) },
      },
      transitions: new Map(),
    });
    expect(graph2.transitions).toEqual([
      { id: 'm.a->m.b:go', sourceId: 'm.a', targetId: 'm.b', event: 'go' },
    ]);
    expect(graph2.states.find((s) => s.id === 'm.b')?.inPlaceEvents).toEqual([
      'stay',
    ]);
  });
});

describe('collapseGraph', () => {
  const graph = masEpisodeGraph();

  it('hides what a collapsed state holds, folds the transitions inside it into its events and draws the ones crossing its border from or to it', () => {
    const collapsed = collapseGraph(graph, new Set([TREATMENT]));
    const inside = graph.states.filter((s) => s.id.startsWith(`${TREATMENT}.`));
    expect(inside.length).toBeGreaterThan(3);
    const ids = new Set(collapsed.states.map((s) => s.id));
    for (const state of inside) expect(ids.has(state.id)).toBe(false);
    const treatment = collapsed.states.find((s) => s.id === TREATMENT);
    expect(treatment?.hiddenStates).toBe(inside.length);
    // Every transition among the hidden states is an event of the box.
    const internal = graph.transitions.filter(
      (t) =>
        t.event !== null &&
        t.sourceId.startsWith(`${TREATMENT}.`) &&
        t.targetId.startsWith(`${TREATMENT}.`),
    );
    expect(internal.length).toBeGreaterThan(0);
    for (const t of internal) {
      expect(treatment?.inPlaceEvents).toContain(t.event);
    }
    // No edge ends inside; every end is a drawn state; no duplicate.
    const keys = collapsed.transitions.map(
      (t) => `${t.sourceId}>${t.targetId}>${t.event ?? ''}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
    for (const t of collapsed.transitions) {
      expect(ids.has(t.sourceId)).toBe(true);
      expect(ids.has(t.targetId)).toBe(true);
    }
    // Nothing else changed: the states outside are the same objects.
    const outside = graph.states.filter(
      (s) => s.id !== TREATMENT && !s.id.startsWith(`${TREATMENT}.`),
    );
    for (const state of outside) {
      expect(collapsed.states).toContain(state);
    }
  });

  it('maps a hidden state to the outermost collapsed state around it, and leaves the graph whole when nothing is collapsed', () => {
    const shown = shownStateOf(
      graph,
      new Set([TREATMENT, 'masEpisode.open.treatment.active']),
    );
    expect(shown(FIRST_LINE)).toBe(TREATMENT);
    expect(shown(SUSPECTED)).toBe(SUSPECTED);
    expect(collapseGraph(graph, new Set())).toBe(graph);
    expect(collapsibleStateIds(graph)).toContain(TREATMENT);
    expect(collapsibleStateIds(graph)).not.toContain('masEpisode');
    expect(collapsibleStateIds(graph)).not.toContain(FIRST_LINE);
  });

  it('lays a collapsed chart out smaller than the whole', async () => {
    const whole = await masEpisodeLayout();
    const regions = graph.states
      .filter((s) => s.isRegion && collapsibleStateIds(graph).includes(s.id))
      .map((s) => s.id);
    const small = await masEpisodeLayout(new Set(regions));
    const area = (layout: typeof whole) => {
      const root = layout.states.find((s) => s.parentId === undefined);
      return (root?.width ?? 0) * (root?.height ?? 0);
    };
    expect(small.states.length).toBeLessThan(whole.states.length / 2);
    expect(area(small)).toBeLessThan(area(whole));
  });
});

describe('masEpisodeLayout (ELK)', () => {
  it('places every state, children inside their parent, siblings apart', async () => {
    const layout = await masEpisodeLayout();
    const graph = masEpisodeGraph();
    expect(layout.states.map((s) => s.id)).toEqual(
      graph.states.map((s) => s.id),
    );
    const boxes = absoluteBoxes(layout.states);
    for (const state of layout.states) {
      expect(state.width).toBeGreaterThan(0);
      expect(state.height).toBeGreaterThan(0);
      const box = boxes.get(state.id);
      const parent =
        state.parentId === undefined ? undefined : boxes.get(state.parentId);
      if (box === undefined || parent === undefined) continue;
      expect(box.x).toBeGreaterThanOrEqual(parent.x);
      expect(box.y).toBeGreaterThanOrEqual(parent.y);
      expect(box.x + box.width).toBeLessThanOrEqual(parent.x + parent.width);
      expect(box.y + box.height).toBeLessThanOrEqual(parent.y + parent.height);
    }
    const siblingsOf = new Map<string, LaidOutState[]>();
    for (const state of layout.states) {
      const key = state.parentId ?? '';
      siblingsOf.set(key, [...(siblingsOf.get(key) ?? []), state]);
    }
    for (const siblings of siblingsOf.values()) {
      for (const [i, a] of siblings.entries()) {
        for (const b of siblings.slice(i + 1)) {
          const apart =
            a.position.x + a.width <= b.position.x ||
            b.position.x + b.width <= a.position.x ||
            a.position.y + a.height <= b.position.y ||
            b.position.y + b.height <= a.position.y;
          expect({ a: a.id, b: b.id, apart }).toEqual({
            a: a.id,
            b: b.id,
            apart: true,
          });
        }
      }
    }
  });

  it('routes every transition and places its label', async () => {
    const layout = await masEpisodeLayout();
    expect(layout.transitions).toHaveLength(
      masEpisodeGraph().transitions.length,
    );
    for (const transition of layout.transitions) {
      expect(transition.points.length).toBeGreaterThanOrEqual(2);
      expect(transition.label).toBeDefined();
    }
  });

  it('is computed once', async () => {
    expect(masEpisodeLayout()).toBe(masEpisodeLayout());
    await expect(masEpisodeLayout()).resolves.toBe(await masEpisodeLayout());
  });
});

describe('StatechartDiagram', () => {
  async function renderDiagram(
    overrides: Partial<StatechartDiagramProps> = {},
  ) {
    const view = render(<StatechartDiagram {...props(overrides)} />);
    const region = await screen.findByRole('region', {
      name: /statechart diagram/i,
    });
    await waitFor(() => {
      expect(region.querySelector('[data-state-id]')).not.toBeNull();
    });
    return { ...view, region };
  }

  it('says it is laying out the statechart until the layout is ready', async () => {
    render(<StatechartDiagram {...props()} />);
    expect(screen.getByRole('status').textContent).toBe(
      'Laying out the statechart…',
    );
    await screen.findByRole('region', { name: /statechart diagram/i });
    expect(screen.queryByText('Laying out the statechart…')).toBeNull();
  });

  it('draws every state at the position ELK gave it', async () => {
    const { region } = await renderDiagram();
    const layout = await masEpisodeLayout();
    const boxes = absoluteBoxes(layout.states);
    for (const state of layout.states) {
      const node = region.querySelector<HTMLElement>(
        `.react-flow__node[data-id="${state.id}"]`,
      );
      expect(node).not.toBeNull();
      const box = boxes.get(state.id);
      expect(node?.style.transform).toBe(
        `translate(${box?.x ?? NaN}px,${box?.y ?? NaN}px)`,
      );
      expect(
        node?.querySelector(`[data-state-id="${state.id}"]`),
      ).not.toBeNull();
    }
  });

  it('draws every transition along the route ELK gave it', async () => {
    const { region } = await renderDiagram();
    const layout = await masEpisodeLayout();
    for (const transition of layout.transitions) {
      const path = region.querySelector(
        `.react-flow__edge[data-id="${transition.id}"] path.react-flow__edge-path`,
      );
      const route = transition.points
        .map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`)
        .join(' ');
      expect(path?.getAttribute('d')).toBe(route);
      const label = region.querySelector<HTMLElement>(
        `[data-transition-id="${transition.id}"]`,
      );
      // In clinical words, never the event's id.
      expect(label?.textContent).toContain(eventText(transition.event));
      expect(label?.textContent).not.toMatch(/[a-z-]+\.[a-z-]+/);
    }
  });

  it('marks the active states, and only them, as active', async () => {
    const { region } = await renderDiagram({
      activeStateIds: ['masEpisode', 'masEpisode.open', FIRST_LINE],
    });
    const states = [...region.querySelectorAll<HTMLElement>('[data-state-id]')];
    const active = states
      .filter((state) => state.dataset['active'] === 'true')
      .map((state) => state.dataset['stateId']);
    expect(active.sort()).toEqual(
      ['masEpisode', 'masEpisode.open', FIRST_LINE].sort(),
    );
    const firstLine = states.find(
      (state) => state.dataset['stateId'] === FIRST_LINE,
    );
    expect(firstLine?.textContent).toContain('active');
    const escalated = states.find(
      (state) =>
        state.dataset['stateId'] ===
        'masEpisode.open.treatment.active.escalated',
    );
    expect(escalated?.textContent).not.toContain('active');
    const zoom = within(region).getByRole('button', {
      name: 'Zoom to current states',
    });
    expect(zoom).toHaveProperty('disabled', false);
    fireEvent.click(zoom);
  });

  it('collapses a state from its title: what it holds disappears, an active state inside marks it active, and it opens again', async () => {
    const { region } = await renderDiagram();
    const name = stateText({ id: TREATMENT });
    fireEvent.click(
      within(region).getByRole('button', { name: `Collapse ${name}` }),
    );
    await waitFor(() => {
      expect(
        region.querySelector(`[data-state-id="${FIRST_LINE}"]`),
      ).toBeNull();
    });
    const box = region.querySelector<HTMLElement>(
      `[data-state-id="${TREATMENT}"]`,
    );
    expect(box?.dataset['active']).toBe('true');
    expect(box?.textContent).toMatch(/\d+ states inside/);
    const expand = within(region).getByRole('button', {
      name: `Expand ${name}`,
    });
    expect(expand.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(expand);
    await waitFor(() => {
      expect(
        region.querySelector(`[data-state-id="${FIRST_LINE}"]`),
      ).not.toBeNull();
    });
  });

  it('collapses every region at once and expands them all again', async () => {
    const { region } = await renderDiagram();
    const whole = region.querySelectorAll('[data-state-id]').length;
    fireEvent.click(
      screen.getByRole('button', { name: 'Collapse every region' }),
    );
    await waitFor(() => {
      expect(region.querySelectorAll('[data-state-id]').length).toBeLessThan(
        whole / 2,
      );
    });
    fireEvent.click(screen.getByRole('button', { name: 'Expand all' }));
    await waitFor(() => {
      expect(region.querySelectorAll('[data-state-id]').length).toBe(whole);
    });
  });

  it('shows when each visited state was first entered', async () => {
    const { region } = await renderDiagram();
    const suspected = region.querySelector(`[data-state-id="${SUSPECTED}"]`);
    expect(suspected?.textContent).toContain('since 01 Mar 08:00 UTC');
    expect(suspected?.querySelector('time')?.getAttribute('dateTime')).toBe(
      '2025-03-01T08:00:00Z',
    );
    const confirmed = region.querySelector(
      '[data-state-id="masEpisode.open.diagnosis.confirmed"]',
    );
    expect(confirmed?.textContent).not.toContain('since');
  });

  it('sends an allowed event from its edge, its chip and the list', async () => {
    const onChooseEvent = jest.fn<(type: string) => void>();
    const { region } = await renderDiagram({ onChooseEvent });
    // An edge (suspected -> workUp).
    const edgeButtons = within(region).getAllByRole('button', {
      name: 'Start the diagnostic work-up',
    });
    expect(edgeButtons).toHaveLength(1);
    fireEvent.click(edgeButtons[0] as HTMLElement);
    expect(onChooseEvent).toHaveBeenLastCalledWith('workup.started');
    // A chip (labs.recorded is handled in place by the open state).
    const open = region.querySelector('[data-state-id="masEpisode.open"]');
    const chip = within(open as HTMLElement).getByRole('button', {
      name: 'Record laboratory results',
    });
    fireEvent.click(chip);
    expect(onChooseEvent).toHaveBeenLastCalledWith('labs.recorded');
    // The accessible list below the diagram.
    const list = screen
      .getByRole('heading', { name: 'Transitions you can take now' })
      .closest('section');
    const listed = within(list as HTMLElement)
      .getAllByRole('button')
      .map((button) => button.textContent);
    expect(listed).toEqual([
      '✓Start the diagnostic work-up',
      '✓Record laboratory results',
      '✓Start a therapy',
    ]);
    expect(list?.textContent).toContain('for methylprednisolone');
    fireEvent.click(
      within(list as HTMLElement).getByRole('button', {
        name: 'Start a therapy',
      }),
    );
    expect(onChooseEvent).toHaveBeenLastCalledWith('therapy.started');
    expect(onChooseEvent).toHaveBeenCalledTimes(3);
  });

  it('shows the reason of a blocked event on focus and on hover', async () => {
    const onChooseEvent = jest.fn<(type: string) => void>();
    const { region } = await renderDiagram({ onChooseEvent });
    const blocked = within(region).getAllByRole('button', {
      name: /Confirm MAS \(blocked\)/,
    });
    // suspected -> confirmed and workUp -> confirmed.
    expect(blocked).toHaveLength(2);
    const control = blocked[0] as HTMLElement;
    expect(control.tabIndex).toBe(0);
    expect(control.getAttribute('aria-disabled')).toBe('true');
    const tooltip = document.getElementById(
      control.getAttribute('aria-describedby') ?? '',
    );
    expect(tooltip?.getAttribute('role')).toBe('tooltip');
    expect(tooltip?.textContent).toContain(
      'Fewer than the required criteria are met.',
    );
    expect(tooltip?.hidden).toBe(true);
    act(() => {
      control.focus();
    });
    expect(tooltip?.hidden).toBe(false);
    fireEvent.keyDown(control, { key: 'Escape' });
    expect(tooltip?.hidden).toBe(true);
    fireEvent.blur(control);
    fireEvent.mouseEnter(control);
    expect(tooltip?.hidden).toBe(false);
    fireEvent.mouseLeave(control);
    expect(tooltip?.hidden).toBe(true);
    fireEvent.click(control);
    expect(onChooseEvent).not.toHaveBeenCalled();
    // And in the list, with its reason in plain text.
    const list = screen
      .getByRole('heading', { name: 'Blocked now' })
      .closest('section');
    expect(list?.textContent).toContain(
      'Confirm MAS ✕ blocked: Fewer than the required criteria are met.',
    );
    expect(list?.textContent).toContain(
      'Start emapalumab ✕ blocked: Refractory therapy needs a second senior.',
    );
  });

  it('draws events in neither list as neutral, not actionable', async () => {
    const { region } = await renderDiagram();
    const open = region.querySelector('[data-state-id="masEpisode.open"]');
    const chips = within(open as HTMLElement).getByRole('list', {
      name: 'Events handled in Open',
    });
    expect(chips.textContent).toContain('Time passed');
    expect(
      within(chips).queryByRole('button', { name: /Time passed/ }),
    ).toBeNull();
    expect(
      within(region).queryByRole('button', {
        name: /Put the protocol on hold/,
      }),
    ).toBeNull();
  });

  it('has no accessibility violations axe can find in jsdom', async () => {
    const { container } = await renderDiagram();
    const results = await axe.run(container, {
      rules: {
        // jsdom does not lay out or paint: contrast is checked in a browser.
        'color-contrast': { enabled: false },
      },
    });
    expect(
      results.violations.map((violation) => ({
        id: violation.id,
        nodes: violation.nodes.map((node) => node.html).slice(0, 3),
      })),
    ).toEqual([]);
  });
});
