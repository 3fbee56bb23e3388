/**
 * Pure logic of the statechart diagram: the state-node tree of a machine as a
 * graph, its automatic layout (ELK, layered, compound states containing their
 * children) and the highlighting of one episode on top of that layout.
 */
import type {
  ElkExtendedEdge,
  ElkNode,
  ElkPoint,
  LayoutOptions,
} from 'elkjs/lib/elk-api.js';

import { masEpisodeMachine } from '@mas/mas-episode';
import { eventLabel, stateLabel } from '@mas/protocol';

// ---------------------------------------------------------------------------
// The graph of a machine
// ---------------------------------------------------------------------------

export type StateKind =
  'atomic' | 'compound' | 'parallel' | 'final' | 'history';

/** What the diagram needs of an XState state node (structural). */
export interface StateNodeLike {
  readonly id: string;
  readonly key: string;
  readonly type: StateKind;
  readonly description?: string | undefined;
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly transitions: ReadonlyMap<string, readonly TransitionLike[]>;
  readonly always?: readonly TransitionLike[] | undefined;
}

export interface TransitionLike {
  readonly target: readonly { readonly id: string }[] | undefined;
}

export interface StatechartState {
  readonly id: string;
  readonly key: string;
  readonly kind: StateKind;
  readonly parentId: string | undefined;
  readonly depth: number;
  /** An orthogonal region: a child of a parallel state. */
  readonly isRegion: boolean;
  readonly description: string | undefined;
  /** Event types handled in place (transitions without a target). */
  readonly inPlaceEvents: readonly string[];
  /**
   * Collapsed: the states hidden inside it (their transitions among
   * themselves shown as its in-place events, those crossing its border
   * drawn from or to it). Absent: shown open.
   */
  readonly hiddenStates?: number;
}

export interface StatechartTransition {
  readonly id: string;
  readonly sourceId: string;
  readonly targetId: string;
  /** The event type; `null` for an eventless (`always`) transition. */
  readonly event: string | null;
}

export interface StatechartGraph {
  /** Pre-order: every parent comes before its children. */
  readonly states: readonly StatechartState[];
  readonly transitions: readonly StatechartTransition[];
}

/** The text on an eventless transition. */
export const AUTOMATIC_LABEL = 'automatic';

/** An event as the diagram shows it: in clinical words, from protocol data. */
export function eventText(type: string | null | undefined): string {
  return type === null || type === undefined
    ? AUTOMATIC_LABEL
    : eventLabel(type);
}

/** A state as the diagram shows it: in clinical words, from protocol data. */
export function stateText(state: { readonly id: string }): string {
  return stateLabel(state.id);
}

/** The state nodes and transitions of a machine (from its root node). */
export function statechartGraph(root: StateNodeLike): StatechartGraph {
  const states: StatechartState[] = [];
  const transitions: StatechartTransition[] = [];
  const seen = new Set<string>();

  const addTransitions = (
    node: StateNodeLike,
    event: string | null,
    definitions: readonly TransitionLike[],
    inPlace: string[],
  ) => {
    for (const definition of definitions) {
      const targets = (definition.target ?? []).filter(
        (target) => target.id !== node.id,
      );
      if (targets.length === 0) {
        if (event !== null && !inPlace.includes(event)) inPlace.push(event);
        continue;
      }
      for (const target of targets) {
        const id = `${node.id}->${target.id}:${event ?? AUTOMATIC_LABEL}`;
        if (seen.has(id)) continue;
        seen.add(id);
        transitions.push({
          id,
          sourceId: node.id,
          targetId: target.id,
          event,
        });
      }
    }
  };

  const visit = (
    node: StateNodeLike,
    parent: StateNodeLike | undefined,
    depth: number,
  ) => {
    const inPlace: string[] = [];
    for (const [event, definitions] of node.transitions) {
      addTransitions(node, event, definitions, inPlace);
    }
    addTransitions(node, null, node.always ?? [], inPlace);
    states.push({
      id: node.id,
      key: node.key,
      kind: node.type,
      parentId: parent?.id,
      depth,
      isRegion: parent?.type === 'parallel',
      description: node.description,
      inPlaceEvents: inPlace,
    });
    for (const child of Object.values(node.states)) {
      visit(child, node, depth + 1);
    }
  };
  visit(root, undefined, 0);
  return { states, transitions };
}

// ---------------------------------------------------------------------------
// Sizes (estimated from the fonts of statechart-diagram.css)
// ---------------------------------------------------------------------------

/** Width of one character of the monospace event font (11px). */
const MONO_CHAR = 7;
/** Width of one character of the title font (13px, bold, generous). */
const TITLE_CHAR = 8.5;
const PAD = 8;
/** Room for the borders (thickest: active, visited). */
const BORDERS = 8;
const TITLE_LINE = 20;
const STATUS_LINE = 18;
const CHIP_HEIGHT = 24;
const CHIP_GAP = 4;
const MIN_STATE_WIDTH = 200;
/** Room for the "● active" badge in the title line. */
const BADGE_WIDTH = 72;
/** Room for the collapse/expand button of a state holding others. */
const TOGGLE_WIDTH = 30;
/** Room for the kind tag ("parallel", "final"). */
const KIND_WIDTH = 70;
/** Width of the chip area of a compound state with many in-place events. */
const COMPOUND_CHIP_AREA = 1200;
const HISTORY_SIZE = 36;

/** Width of an event control (icon, text, padding), as the CSS draws it. */
export function eventControlWidth(text: string): number {
  return Math.ceil(text.length * MONO_CHAR + 34);
}

export const EVENT_CONTROL_HEIGHT = CHIP_HEIGHT;

/** Rows of chips packed into `width`. */
function chipRows(events: readonly string[], width: number): number {
  let rows = 0;
  let used = Infinity;
  for (const event of events) {
    const w = eventControlWidth(eventText(event));
    if (used + CHIP_GAP + w > width) {
      rows += 1;
      used = w;
    } else {
      used += CHIP_GAP + w;
    }
  }
  return rows;
}

export interface StateSize {
  readonly width: number;
  /** The whole height of an atomic state, the header of a compound one. */
  readonly height: number;
}

/** The size of a state's own content (header for compound states). */
export function stateContentSize(state: StatechartState): StateSize {
  if (state.kind === 'history') {
    return { width: HISTORY_SIZE, height: HISTORY_SIZE };
  }
  const compound = state.kind === 'compound' || state.kind === 'parallel';
  const tagged = state.kind === 'parallel' || state.kind === 'final';
  const titleWidth =
    stateText(state).length * TITLE_CHAR +
    BADGE_WIDTH +
    (tagged ? KIND_WIDTH : 0) +
    (compound ? TOGGLE_WIDTH : 0);
  const widestChip = Math.max(
    0,
    ...state.inPlaceEvents.map((event) => eventControlWidth(eventText(event))),
  );
  const chipArea =
    compound && state.inPlaceEvents.length > 2
      ? COMPOUND_CHIP_AREA
      : Math.max(MIN_STATE_WIDTH - 2 * PAD, widestChip);
  const contentWidth = Math.max(titleWidth, chipArea, widestChip);
  const rows = chipRows(state.inPlaceEvents, contentWidth);
  const chips =
    rows === 0 ? 0 : PAD + rows * CHIP_HEIGHT + (rows - 1) * CHIP_GAP;
  return {
    width: Math.ceil(contentWidth + 2 * PAD + BORDERS),
    height: Math.ceil(PAD + TITLE_LINE + STATUS_LINE + chips + PAD),
  };
}

// ---------------------------------------------------------------------------
// Layout (ELK)
// ---------------------------------------------------------------------------

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LaidOutState extends StatechartState {
  /** Position relative to the parent state (absolute for the root). */
  readonly position: { readonly x: number; readonly y: number };
  readonly width: number;
  readonly height: number;
  /** Height of the title, status and chips (compound: the header). */
  readonly contentHeight: number;
}

export interface LaidOutTransition extends StatechartTransition {
  /** The route in absolute coordinates: start, bend points, end. */
  readonly points: readonly ElkPoint[];
  /** Where the event label goes (absolute, top-left), if placed. */
  readonly label: Box | undefined;
}

export interface StatechartLayout {
  readonly states: readonly LaidOutState[];
  readonly transitions: readonly LaidOutTransition[];
}

const ROOT_OPTIONS: LayoutOptions = {
  'elk.algorithm': 'layered',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '48',
  'elk.spacing.nodeNode': '28',
  'elk.spacing.edgeLabel': '4',
  'elk.spacing.edgeNode': '16',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.crossingMinimization.forceNodeModelOrder': 'true',
  'elk.json.edgeCoords': 'ROOT',
  'elk.json.shapeCoords': 'PARENT',
};

/** The ELK graph of a statechart: nested nodes, edges with sized labels. */
export function elkGraph(graph: StatechartGraph): ElkNode {
  const elkNodes = new Map<string, ElkNode>();
  let root: ElkNode | undefined;
  for (const state of graph.states) {
    const size = stateContentSize(state);
    const compound = state.kind === 'compound' || state.kind === 'parallel';
    const node: ElkNode = compound
      ? {
          id: state.id,
          children: [],
          layoutOptions: {
            'elk.padding': `[top=${size.height + 8},left=14,bottom=14,right=14]`,
            'elk.nodeSize.constraints': 'MINIMUM_SIZE',
            'elk.nodeSize.minimum': `(${size.width}, ${size.height + 40})`,
          },
        }
      : { id: state.id, width: size.width, height: size.height };
    elkNodes.set(state.id, node);
    const parent =
      state.parentId === undefined ? undefined : elkNodes.get(state.parentId);
    if (parent === undefined) {
      root ??= node;
    } else {
      (parent.children ??= []).push(node);
    }
  }
  if (root === undefined) throw new Error('A statechart has a root state.');
  const edges: ElkExtendedEdge[] = graph.transitions.map((transition) => {
    const text = eventText(transition.event);
    return {
      id: transition.id,
      sources: [transition.sourceId],
      targets: [transition.targetId],
      labels: [
        {
          id: `${transition.id}#label`,
          text,
          width: eventControlWidth(text),
          height: EVENT_CONTROL_HEIGHT,
        },
      ],
    };
  });
  return {
    id: '__diagram__',
    layoutOptions: ROOT_OPTIONS,
    children: [root],
    edges: [...edges, ...regionGridEdges(graph)],
  };
}

/** Id prefix of the layout-only edges that arrange parallel regions. */
const GRID_EDGE = '__grid__:';

/**
 * Orthogonal regions have no transitions between them, so a layered layout
 * stacks them all in one layer (a tall, narrow diagram). Layout-only edges
 * from region i to region i + rows arrange four or more regions in two
 * columns, in document order; they are not drawn.
 */
function regionGridEdges(graph: StatechartGraph): ElkExtendedEdge[] {
  const edges: ElkExtendedEdge[] = [];
  for (const parallel of graph.states) {
    if (parallel.kind !== 'parallel') continue;
    const regions = graph.states.filter(
      (state) => state.parentId === parallel.id,
    );
    if (regions.length < 4) continue;
    const rows = Math.ceil(regions.length / 2);
    regions.slice(0, regions.length - rows).forEach((region, index) => {
      const next = regions[index + rows];
      if (next === undefined) return;
      edges.push({
        id: `${GRID_EDGE}${region.id}->${next.id}`,
        sources: [region.id],
        targets: [next.id],
      });
    });
  }
  return edges;
}

function collectEdges(node: ElkNode, into: ElkExtendedEdge[]): void {
  into.push(...(node.edges ?? []));
  for (const child of node.children ?? []) collectEdges(child, into);
}

/** Lays the statechart out with ELK (asynchronous). */
/** What lays a graph out (ELK, in a Web Worker or in this thread). */
interface LayoutEngine {
  layout(graph: ElkNode): Promise<ElkNode>;
}

/**
 * The layout engine: in a Web Worker where the browser has them, so that
 * the page stays responsive while the statechart is laid out (the worker
 * loads ELK, 1.5 MB, apart from the page); in this thread where there are
 * none (the component tests).
 */
async function layoutEngine(): Promise<LayoutEngine> {
  if (typeof Worker !== 'undefined') {
    const [{ default: ElkApi }, { default: workerUrl }] = await Promise.all([
      import('elkjs/lib/elk-api.js'),
      import('elkjs/lib/elk-worker.min.js?url'),
    ]);
    return new ElkApi({ workerUrl });
  }
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  return new ELK();
}

export async function layoutStatechart(
  graph: StatechartGraph,
): Promise<StatechartLayout> {
  const elk = await layoutEngine();
  const laidOut: ElkNode = await elk.layout(elkGraph(graph));
  const boxes = new Map<string, Box>();
  const walk = (node: ElkNode) => {
    boxes.set(node.id, {
      x: node.x ?? 0,
      y: node.y ?? 0,
      width: node.width ?? 0,
      height: node.height ?? 0,
    });
    for (const child of node.children ?? []) walk(child);
  };
  for (const child of laidOut.children ?? []) walk(child);

  const states = graph.states.map((state): LaidOutState => {
    const box = boxes.get(state.id);
    if (box === undefined) throw new Error(`ELK did not place ${state.id}.`);
    return {
      ...state,
      position: { x: box.x, y: box.y },
      width: box.width,
      height: box.height,
      contentHeight: stateContentSize(state).height,
    };
  });

  const elkEdges: ElkExtendedEdge[] = [];
  collectEdges(laidOut, elkEdges);
  const routes = new Map(elkEdges.map((edge) => [edge.id, edge]));
  const transitions = graph.transitions.map((transition): LaidOutTransition => {
    const edge = routes.get(transition.id);
    const section = edge?.sections?.[0];
    const label = edge?.labels?.[0];
    return {
      ...transition,
      points:
        section === undefined
          ? []
          : [
              section.startPoint,
              ...(section.bendPoints ?? []),
              section.endPoint,
            ],
      label:
        label?.x === undefined || label.y === undefined
          ? undefined
          : {
              x: label.x,
              y: label.y,
              width: label.width ?? 0,
              height: label.height ?? 0,
            },
    };
  });
  return { states, transitions };
}

// ---------------------------------------------------------------------------
// Collapsing
// ---------------------------------------------------------------------------

/** The states that hold others and may be collapsed (every one but the root). */
export function collapsibleStateIds(graph: StatechartGraph): string[] {
  const parents = new Set(graph.states.map((state) => state.parentId));
  return graph.states
    .filter((state) => state.parentId !== undefined && parents.has(state.id))
    .map((state) => state.id);
}

/**
 * Where each state is drawn once `collapsed` are closed: itself, or the
 * outermost collapsed state around it.
 */
export function shownStateOf(
  graph: StatechartGraph,
  collapsed: ReadonlySet<string>,
): (id: string) => string {
  const parentOf = new Map(graph.states.map((s) => [s.id, s.parentId]));
  const shown = new Map<string, string>();
  return (id) => {
    const known = shown.get(id);
    if (known !== undefined) return known;
    let result = id;
    for (
      let at: string | undefined = id;
      at !== undefined;
      at = parentOf.get(at)
    ) {
      if (collapsed.has(at)) result = at;
    }
    shown.set(id, result);
    return result;
  };
}

/**
 * The graph with `collapsed` states closed: their descendants hidden, a
 * transition among the hidden states shown as an event handled in place by
 * the collapsed state, one crossing its border drawn from or to it (once
 * per event and end).
 */
export function collapseGraph(
  graph: StatechartGraph,
  collapsed: ReadonlySet<string>,
): StatechartGraph {
  if (collapsed.size === 0) return graph;
  const shownAs = shownStateOf(graph, collapsed);
  const hidden = new Map<string, number>();
  const folded = new Map<string, Set<string>>();
  const fold = (id: string, events: Iterable<string>) => {
    const set = folded.get(id) ?? new Set<string>();
    for (const event of events) set.add(event);
    folded.set(id, set);
  };
  for (const state of graph.states) {
    const shown = shownAs(state.id);
    if (shown === state.id) continue;
    hidden.set(shown, (hidden.get(shown) ?? 0) + 1);
    fold(shown, state.inPlaceEvents);
  }
  const transitions: StatechartTransition[] = [];
  const drawn = new Set<string>();
  for (const transition of graph.transitions) {
    const sourceId = shownAs(transition.sourceId);
    const targetId = shownAs(transition.targetId);
    const moved =
      sourceId !== transition.sourceId || targetId !== transition.targetId;
    if (sourceId === targetId && moved) {
      if (transition.event !== null) fold(sourceId, [transition.event]);
      continue;
    }
    const key = `${sourceId}\u0000${targetId}\u0000${transition.event ?? ''}`;
    if (drawn.has(key)) continue;
    drawn.add(key);
    transitions.push({ ...transition, sourceId, targetId });
  }
  const states = graph.states
    .filter((state) => shownAs(state.id) === state.id)
    .map((state): StatechartState => {
      const count = hidden.get(state.id);
      if (count === undefined) return state;
      const events = new Set(state.inPlaceEvents);
      for (const event of folded.get(state.id) ?? []) events.add(event);
      return { ...state, inPlaceEvents: [...events], hiddenStates: count };
    });
  return { states, transitions };
}

let masEpisodeLayoutPromise: Promise<StatechartLayout> | undefined;

/** The graph of the care-episode machine (it does not change). */
export function masEpisodeGraph(): StatechartGraph {
  return statechartGraph(masEpisodeMachine.root);
}

/**
 * The layout of the care-episode machine, computed once per page: the
 * machine does not change; highlighting goes on top of it.
 */
export function masEpisodeLayout(
  collapsed: ReadonlySet<string> = new Set(),
): Promise<StatechartLayout> {
  if (collapsed.size > 0) {
    const key = [...collapsed].sort().join(' ');
    let promise = collapsedLayouts.get(key);
    if (promise === undefined) {
      promise = layoutStatechart(
        collapseGraph(masEpisodeGraph(), collapsed),
      ).catch((error: unknown) => {
        collapsedLayouts.delete(key);
        throw error;
      });
      // A handful of views at most: the oldest goes beyond them.
      if (collapsedLayouts.size >= COLLAPSED_LAYOUTS_KEPT) {
        const oldest = collapsedLayouts.keys().next().value;
        if (oldest !== undefined) collapsedLayouts.delete(oldest);
      }
      collapsedLayouts.set(key, promise);
    }
    return promise;
  }
  masEpisodeLayoutPromise ??= layoutStatechart(masEpisodeGraph()).catch(
    (error: unknown) => {
      masEpisodeLayoutPromise = undefined;
      throw error;
    },
  );
  return masEpisodeLayoutPromise;
}

/** Layouts with states collapsed, by the sorted ids collapsed. */
const COLLAPSED_LAYOUTS_KEPT = 16;
const collapsedLayouts = new Map<string, Promise<StatechartLayout>>();

// ---------------------------------------------------------------------------
// Highlighting
// ---------------------------------------------------------------------------

export interface HighlightInput {
  readonly activeStateIds: readonly string[];
  readonly visited: readonly {
    readonly stateId: string;
    readonly at: string;
  }[];
  readonly allowedEvents: readonly {
    readonly type: string;
    readonly variant?: string;
  }[];
  readonly blockedEvents: readonly {
    readonly type: string;
    readonly variant?: string;
    readonly label?: string;
    readonly reason: string;
  }[];
}

export interface StateHighlight {
  readonly active: boolean;
  /** When the episode first entered the state (ISO time), if it did. */
  readonly visitedAt: string | undefined;
}

export interface BlockedReason {
  readonly variant: string | undefined;
  /** The event in clinical words (with its drug, kind or topic). */
  readonly label: string;
  readonly reason: string;
}

export type EventHighlight =
  | {
      readonly status: 'allowed';
      readonly variants: readonly string[];
      /** Other variants of the same event that are blocked. */
      readonly blocked: readonly BlockedReason[];
    }
  | { readonly status: 'blocked'; readonly blocked: readonly BlockedReason[] }
  | { readonly status: 'neutral' };

export interface DiagramHighlights {
  readonly states: ReadonlyMap<string, StateHighlight>;
  readonly events: ReadonlyMap<string, EventHighlight>;
}

const NOT_HIGHLIGHTED: StateHighlight = { active: false, visitedAt: undefined };
const NEUTRAL: EventHighlight = { status: 'neutral' };

function earlier(a: string, b: string): string {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(tb)) return a;
  if (Number.isNaN(ta)) return b;
  return tb < ta ? b : a;
}

/**
 * Per state id: active, and when first visited; per event type: allowed
 * (with its variants), blocked (with the reasons) or neutral (absent).
 * An event allowed in one variant is allowed: the user may send it.
 */
export function diagramHighlights(input: HighlightInput): DiagramHighlights {
  const firstVisit = new Map<string, string>();
  for (const { stateId, at } of input.visited) {
    const known = firstVisit.get(stateId);
    firstVisit.set(stateId, known === undefined ? at : earlier(known, at));
  }
  const active = new Set(input.activeStateIds);
  const states = new Map<string, StateHighlight>();
  for (const id of new Set([...active, ...firstVisit.keys()])) {
    states.set(id, { active: active.has(id), visitedAt: firstVisit.get(id) });
  }

  const allowed = new Map<string, string[]>();
  for (const { type, variant } of input.allowedEvents) {
    const variants = allowed.get(type) ?? [];
    if (variant !== undefined && !variants.includes(variant)) {
      variants.push(variant);
    }
    allowed.set(type, variants);
  }
  const blocked = new Map<string, BlockedReason[]>();
  for (const { type, variant, label, reason } of input.blockedEvents) {
    const reasons = blocked.get(type) ?? [];
    reasons.push({
      variant,
      label: label ?? eventLabel(type, variant),
      reason,
    });
    blocked.set(type, reasons);
  }
  const events = new Map<string, EventHighlight>();
  for (const [type, variants] of allowed) {
    events.set(type, {
      status: 'allowed',
      variants,
      blocked: blocked.get(type) ?? [],
    });
  }
  for (const [type, reasons] of blocked) {
    if (!events.has(type)) {
      events.set(type, { status: 'blocked', blocked: reasons });
    }
  }
  return { states, events };
}

export function stateHighlight(
  highlights: DiagramHighlights,
  stateId: string,
): StateHighlight {
  return highlights.states.get(stateId) ?? NOT_HIGHLIGHTED;
}

export function eventHighlight(
  highlights: DiagramHighlights,
  event: string | null,
): EventHighlight {
  return event === null ? NEUTRAL : (highlights.events.get(event) ?? NEUTRAL);
}

const sinceFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "01 Mar 08:00 UTC" (the ISO text itself if it is not a time). */
export function formatSince(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const parts = new Map(
    sinceFormat.formatToParts(time).map((part) => [part.type, part.value]),
  );
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.get(type) ?? '';
  return `${part('day')} ${part('month')} ${part('hour')}:${part('minute')} UTC`;
}
