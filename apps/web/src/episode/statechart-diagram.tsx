import {
  BaseEdge,
  Controls,
  type Edge,
  EdgeLabelRenderer,
  type EdgeProps,
  getSmoothStepPath,
  Handle,
  MarkerType,
  type Node,
  type NodeProps,
  Panel,
  Position,
  ReactFlow,
  useReactFlow,
} from '@xyflow/react';
import {
  type CSSProperties,
  type JSX,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from 'react';
import { createPortal } from 'react-dom';

import { eventLabel, stateLabel, subjectLabel } from '@mas/protocol';

import {
  AUTOMATIC_LABEL,
  type BlockedReason,
  collapsibleStateIds,
  type DiagramHighlights,
  diagramHighlights,
  eventControlWidth,
  type EventHighlight,
  eventHighlight,
  eventText,
  formatSince,
  type HighlightInput,
  type LaidOutState,
  type LaidOutTransition,
  masEpisodeGraph,
  masEpisodeLayout,
  shownStateOf,
  type StatechartLayout,
  type StateHighlight,
  stateHighlight,
  stateText,
} from './statechart-diagram.model.js';

import '@xyflow/react/dist/style.css';
import './statechart-diagram.css';

export {
  type DiagramHighlights,
  diagramHighlights,
  type EventHighlight,
  type StateHighlight,
} from './statechart-diagram.model.js';

/**
 * The active states (all levels), the path taken (state id and first entry,
 * ISO time), the events the signed-in user may send now, and those blocked
 * with the machine's reason.
 */
export interface StatechartDiagramProps extends HighlightInput {
  /** Called when the user chooses an allowed transition in the diagram. */
  onChooseEvent(type: string): void;
  /** Height of the diagram in px (default 560). */
  readonly height?: number;
}

type ChooseEvent = (type: string) => void;

// ---------------------------------------------------------------------------
// Event controls: allowed (a button), blocked (focusable, with its reason),
// neutral (plain text)
// ---------------------------------------------------------------------------

interface EventControlProps {
  readonly type: string;
  /** What the control shows (the event type, or "automatic"). */
  readonly text: string;
  readonly highlight: EventHighlight;
  readonly onChooseEvent: ChooseEvent;
  readonly style?: CSSProperties;
}

function EventControl(props: EventControlProps): JSX.Element {
  const { type, text, highlight, onChooseEvent, style } = props;
  switch (highlight.status) {
    case 'allowed':
      return (
        <button
          type="button"
          className="sc-event sc-event--allowed nodrag nopan"
          style={style}
          onClick={() => {
            onChooseEvent(type);
          }}
        >
          <span className="sc-event__icon" aria-hidden="true">
            ✓
          </span>
          {text}
        </button>
      );
    case 'blocked':
      return (
        <BlockedEvent text={text} reasons={highlight.blocked} style={style} />
      );
    case 'neutral':
      return (
        <span className="sc-event sc-event--neutral" style={style}>
          <span className="sc-event__icon" aria-hidden="true">
            ·
          </span>
          {text}
        </span>
      );
  }
}

interface BlockedEventProps {
  readonly text: string;
  readonly reasons: readonly BlockedReason[];
  readonly style: CSSProperties | undefined;
}

/**
 * A blocked event: muted, focusable, its reason in a tooltip shown on hover
 * and on focus (and on click, for touch), dismissed with Escape. The tooltip
 * is portalled to the body so no diagram node covers it.
 */
function BlockedEvent({ text, reasons, style }: BlockedEventProps) {
  const tooltipId = useId();
  const anchor = useRef<HTMLButtonElement>(null);
  const [at, setAt] = useState<{ left: number; top: number } | undefined>();
  const show = () => {
    const box = anchor.current?.getBoundingClientRect();
    setAt({ left: box?.left ?? 0, top: (box?.bottom ?? 0) + 4 });
  };
  const hide = () => {
    setAt(undefined);
  };
  const only = reasons.length === 1 ? reasons[0] : undefined;
  return (
    <>
      <button
        ref={anchor}
        type="button"
        tabIndex={0}
        className="sc-event sc-event--blocked nodrag nopan"
        style={style}
        aria-disabled="true"
        aria-describedby={tooltipId}
        onFocus={show}
        onBlur={hide}
        onMouseEnter={show}
        onMouseLeave={hide}
        onClick={show}
        onKeyDown={(event) => {
          if (event.key === 'Escape') hide();
        }}
      >
        <span className="sc-event__icon" aria-hidden="true">
          ✕
        </span>
        {text}
        <span className="sc-sr-only"> (blocked)</span>
      </button>
      {createPortal(
        <div
          id={tooltipId}
          role="tooltip"
          className="sc-tooltip"
          hidden={at === undefined}
          style={at === undefined ? undefined : { ...at }}
        >
          {only !== undefined && only.variant === undefined ? (
            <>Blocked: {only.reason}</>
          ) : (
            <>
              Blocked:
              <ul>
                {reasons.map((blocked, index) => (
                  <li key={index}>
                    {blocked.variant === undefined
                      ? blocked.reason
                      : `${blocked.label}: ${blocked.reason}`}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>,
        document.body,
      )}
    </>
  );
}

// ---------------------------------------------------------------------------
// Diagram nodes and edges (xyflow)
// ---------------------------------------------------------------------------

// Types, not interfaces: xyflow wants records for node and edge data.
type StateNodeData = {
  readonly state: LaidOutState;
  readonly highlight: StateHighlight;
  readonly chips: readonly {
    readonly type: string;
    readonly highlight: EventHighlight;
  }[];
  readonly onChooseEvent: ChooseEvent;
  /** Null: holds no state; else whether it is collapsed now. */
  readonly collapsed: boolean | null;
  readonly onToggle: (id: string) => void;
};
type StateFlowNode = Node<StateNodeData, 'statechartState'>;

type TransitionEdgeData = {
  readonly transition: LaidOutTransition;
  readonly highlight: EventHighlight;
  readonly onChooseEvent: ChooseEvent;
};
type TransitionFlowEdge = Edge<TransitionEdgeData, 'statechartTransition'>;

const KIND_TAGS: Partial<Record<LaidOutState['kind'], string>> = {
  parallel: '‖ parallel',
  final: '◎ final',
};

function stateClassName(state: LaidOutState, highlight: StateHighlight) {
  return [
    'sc-state',
    `sc-state--${state.kind}`,
    state.isRegion ? 'sc-state--region' : '',
    highlight.active ? 'sc-state--active' : '',
    highlight.visitedAt === undefined ? '' : 'sc-state--visited',
  ]
    .filter(Boolean)
    .join(' ');
}

function StateNodeView({ data }: NodeProps<StateFlowNode>) {
  const { state, highlight, chips, onChooseEvent, collapsed, onToggle } = data;
  const tag = KIND_TAGS[state.kind];
  return (
    <div
      className={stateClassName(state, highlight)}
      data-state-id={state.id}
      data-active={highlight.active}
      style={{ width: state.width, height: state.height }}
    >
      <Handle
        type="target"
        position={Position.Left}
        isConnectable={false}
        className="sc-handle"
      />
      {state.kind === 'history' ? (
        <span className="sc-history" title="History: back to the last line">
          H
        </span>
      ) : (
        <div className="sc-state__content">
          <div className="sc-state__title">
            <span className="sc-state__name" title={state.description}>
              {stateText(state)}
            </span>
            {tag === undefined ? null : (
              <span className="sc-state__kind">{tag}</span>
            )}
            {highlight.active ? (
              <span className="sc-badge">
                <span aria-hidden="true">● </span>active
              </span>
            ) : null}
            {collapsed === null ? null : (
              <button
                type="button"
                className="sc-toggle nodrag nopan"
                aria-expanded={!collapsed}
                aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${stateText(state)}`}
                title={
                  collapsed
                    ? 'Show the states inside'
                    : 'Hide the states inside'
                }
                onClick={() => {
                  onToggle(state.id);
                }}
              >
                <span aria-hidden="true">{collapsed ? '+' : '−'}</span>
              </button>
            )}
          </div>
          <div className="sc-state__since">
            {state.hiddenStates === undefined ? null : (
              <span className="sc-state__hidden">
                {state.hiddenStates} state{state.hiddenStates === 1 ? '' : 's'}{' '}
                inside
                {highlight.visitedAt === undefined ? '' : ' · '}
              </span>
            )}
            {highlight.visitedAt === undefined ? null : (
              <>
                since{' '}
                <time dateTime={highlight.visitedAt}>
                  {formatSince(highlight.visitedAt)}
                </time>
              </>
            )}
          </div>
          {chips.length === 0 ? null : (
            <ul
              className="sc-chips"
              aria-label={`Events handled in ${stateText(state)}`}
            >
              {chips.map((chip) => (
                <li key={chip.type}>
                  <EventControl
                    type={chip.type}
                    text={eventText(chip.type)}
                    highlight={chip.highlight}
                    onChooseEvent={onChooseEvent}
                  />
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <Handle
        type="source"
        position={Position.Right}
        isConnectable={false}
        className="sc-handle"
      />
    </div>
  );
}

const EDGE_COLOURS: Record<EventHighlight['status'], string> = {
  allowed: '#0a6b35',
  blocked: '#5f6670',
  neutral: '#7d8590',
};

function edgeStyle(transition: LaidOutTransition, highlight: EventHighlight) {
  const stroke = EDGE_COLOURS[highlight.status];
  switch (highlight.status) {
    case 'allowed':
      return { stroke, strokeWidth: 2.5 };
    case 'blocked':
      return { stroke, strokeWidth: 1.5, strokeDasharray: '6 4' };
    case 'neutral':
      return transition.event === null
        ? { stroke, strokeWidth: 1.25, strokeDasharray: '2 3' }
        : { stroke, strokeWidth: 1.25 };
  }
}

function polyline(points: readonly { x: number; y: number }[]): string {
  return points
    .map((point, index) => `${index === 0 ? 'M' : 'L'} ${point.x} ${point.y}`)
    .join(' ');
}

function TransitionEdgeView(props: EdgeProps<TransitionFlowEdge>) {
  const { id, data, markerEnd, style } = props;
  const [fallbackPath, labelX, labelY] = getSmoothStepPath(props);
  if (data === undefined) return null;
  const { transition, highlight, onChooseEvent } = data;
  const route = transition.points;
  const path = route.length >= 2 ? polyline(route) : fallbackPath;
  const text = eventText(transition.event);
  const width = eventControlWidth(text);
  const label = transition.label ?? {
    x: labelX - width / 2,
    y: labelY - 12,
    width,
  };
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} />
      <EdgeLabelRenderer>
        <div
          className="sc-edge-label nodrag nopan"
          data-transition-id={transition.id}
          style={{
            transform: `translate(${label.x}px, ${label.y}px)`,
          }}
        >
          <EventControl
            type={transition.event ?? AUTOMATIC_LABEL}
            text={text}
            highlight={highlight}
            onChooseEvent={onChooseEvent}
            style={{ width: label.width }}
          />
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

const nodeTypes = { statechartState: StateNodeView };
const edgeTypes = { statechartTransition: TransitionEdgeView };

function flowNodes(
  layout: StatechartLayout,
  highlights: DiagramHighlights,
  onChooseEvent: ChooseEvent,
  collapsing: {
    readonly collapsible: ReadonlySet<string>;
    readonly collapsed: ReadonlySet<string>;
    readonly onToggle: (id: string) => void;
  },
): StateFlowNode[] {
  return layout.states.map((state) => ({
    id: state.id,
    type: 'statechartState',
    position: state.position,
    ...(state.parentId === undefined ? {} : { parentId: state.parentId }),
    width: state.width,
    height: state.height,
    // Handles are known: edges render before (or without) measuring.
    handles: [
      {
        type: 'target',
        position: Position.Left,
        x: 0,
        y: state.height / 2,
        width: 1,
        height: 1,
      },
      {
        type: 'source',
        position: Position.Right,
        x: state.width - 1,
        y: state.height / 2,
        width: 1,
        height: 1,
      },
    ],
    zIndex: state.depth,
    draggable: false,
    selectable: false,
    connectable: false,
    focusable: false,
    ariaRole: 'group',
    ariaLabel: `State ${stateText(state)}`,
    data: {
      state,
      highlight: stateHighlight(highlights, state.id),
      chips: state.inPlaceEvents.map((type) => ({
        type,
        highlight: eventHighlight(highlights, type),
      })),
      onChooseEvent,
      collapsed: collapsing.collapsible.has(state.id)
        ? collapsing.collapsed.has(state.id)
        : null,
      onToggle: collapsing.onToggle,
    },
  }));
}

function flowEdges(
  layout: StatechartLayout,
  highlights: DiagramHighlights,
  onChooseEvent: ChooseEvent,
): TransitionFlowEdge[] {
  const keyOf = new Map(
    layout.states.map((state) => [state.id, stateText(state)]),
  );
  return layout.transitions.map((transition) => {
    const highlight = eventHighlight(highlights, transition.event);
    return {
      id: transition.id,
      source: transition.sourceId,
      target: transition.targetId,
      type: 'statechartTransition',
      // Above every state: routes avoid the states, and a transition out of
      // a nested state must not disappear under its parent.
      zIndex: 1000,
      selectable: false,
      focusable: false,
      ariaLabel: `${eventText(transition.event)}: ${keyOf.get(transition.sourceId) ?? transition.sourceId} to ${keyOf.get(transition.targetId) ?? transition.targetId}`,
      style: edgeStyle(transition, highlight),
      markerEnd: {
        type: MarkerType.ArrowClosed,
        color: EDGE_COLOURS[highlight.status],
        width: 14,
        height: 14,
      },
      data: { transition, highlight, onChooseEvent },
    };
  });
}

/**
 * Zooms to the states the episode is in, or shows the whole chart (small:
 * an overview to find one's way, not to read).
 */
function ZoomButtons({ stateIds }: { readonly stateIds: readonly string[] }) {
  const { fitView } = useReactFlow();
  return (
    <Panel position="top-right">
      <button
        type="button"
        className="sc-panel-button"
        disabled={stateIds.length === 0}
        onClick={() => {
          void fitView({
            nodes: stateIds.map((id) => ({ id })),
            padding: 0.3,
            maxZoom: 1.2,
            duration: 300,
          });
        }}
      >
        Zoom to current states
      </button>{' '}
      <button
        type="button"
        className="sc-panel-button"
        onClick={() => {
          void fitView({ ...FIT_WHOLE_CHART, duration: 300 });
        }}
      >
        Whole chart
      </button>
    </Panel>
  );
}

/**
 * The state the chart first opens on: where the patient stands in
 * treatment (what the ward acts on), else in diagnosis, else every state
 * the episode is in (a closed episode: its outcome).
 */
function firstViewStates(current: readonly string[]): string[] {
  for (const path of CARE_PATH) {
    const here = current.filter(
      (id) => id === path || id.startsWith(`${path}.`),
    );
    if (here.length > 0) return here;
  }
  return [...current];
}

const CARE_PATH = ['masEpisode.open.treatment', 'masEpisode.open.diagnosis'];

/**
 * The zoom the first view is read at, at least: state names at 80 % of
 * their size (about 10 px). The whole chart at a ward screen's width is
 * about a fifth of that, names 2-3 px tall: an overview, a button away.
 */
const READABLE_ZOOM = 0.8;

/**
 * Fits the whole chart in view again whenever it is laid out anew (a
 * region collapsed or expanded): the new chart is another size, and at the
 * old zoom it would sit small in a corner. Only a new layout refits: new
 * highlights keep the reader's pan and zoom.
 */
function FitOnNewLayout({ layout }: { readonly layout: StatechartLayout }) {
  const { fitView } = useReactFlow();
  const fitted = useRef(layout);
  useEffect(() => {
    if (fitted.current === layout) return;
    fitted.current = layout;
    // Queued by React Flow until the new nodes are measured.
    void fitView(FIT_WHOLE_CHART);
  }, [layout, fitView]);
  return null;
}

/** How the whole chart is fitted, at first and after each new layout. */
const FIT_WHOLE_CHART = { padding: 0.04 } as const;

/** The deepest active states (no active state below them). */
function currentStates(activeStateIds: readonly string[]): string[] {
  return activeStateIds.filter(
    (id) => !activeStateIds.some((other) => other.startsWith(`${id}.`)),
  );
}

// ---------------------------------------------------------------------------
// The layout, once per page
// ---------------------------------------------------------------------------

type LayoutState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly layout: StatechartLayout }
  | { readonly status: 'failed'; readonly message: string };

let readyLayout: StatechartLayout | undefined;

/**
 * The layout with `collapsed` states closed; while another is computed the
 * one shown stays (no flash of "laying out").
 */
function useMasEpisodeLayout(collapsed: ReadonlySet<string>): LayoutState {
  const [state, setState] = useState<LayoutState>(() =>
    readyLayout === undefined
      ? { status: 'loading' }
      : { status: 'ready', layout: readyLayout },
  );
  const [shown, setShown] = useState<ReadonlySet<string> | null>(() =>
    readyLayout === undefined ? null : new Set(),
  );
  const ready = state.status === 'ready' && shown === collapsed;
  useEffect(() => {
    if (ready) return;
    let live = true;
    void masEpisodeLayout(collapsed).then(
      (layout) => {
        if (collapsed.size === 0) readyLayout = layout;
        if (live) {
          setState({ status: 'ready', layout });
          setShown(collapsed);
        }
      },
      (error: unknown) => {
        if (live) {
          setState({
            status: 'failed',
            message: error instanceof Error ? error.message : String(error),
          });
        }
      },
    );
    return () => {
      live = false;
    };
  }, [ready, collapsed]);
  return state;
}

// ---------------------------------------------------------------------------
// The accessible summary: the same information as the diagram, as lists
// ---------------------------------------------------------------------------

function StatechartSummary(props: StatechartDiagramProps) {
  const { activeStateIds, visited, allowedEvents, blockedEvents } = props;
  const allowed = useMemo(() => {
    const byType = new Map<string, string[]>();
    for (const { type, variant } of allowedEvents) {
      const variants = byType.get(type) ?? [];
      if (variant !== undefined && !variants.includes(variant)) {
        variants.push(variant);
      }
      byType.set(type, variants);
    }
    return [...byType];
  }, [allowedEvents]);
  const current = currentStates(activeStateIds);
  const path = useMemo(() => {
    const highlights = diagramHighlights({
      activeStateIds: [],
      visited,
      allowedEvents: [],
      blockedEvents: [],
    });
    return [...highlights.states]
      .flatMap(([id, { visitedAt }]) =>
        visitedAt === undefined ? [] : [{ id, at: visitedAt }],
      )
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }, [visited]);
  const headingIds = useId();
  return (
    <div className="sc-summary">
      <section aria-labelledby={`${headingIds}-allowed`}>
        <h3 id={`${headingIds}-allowed`}>Transitions you can take now</h3>
        {allowed.length === 0 ? (
          <p>None.</p>
        ) : (
          <ul className="sc-summary__list">
            {allowed.map(([type, variants]) => (
              <li key={type}>
                <button
                  type="button"
                  className="sc-event sc-event--allowed"
                  onClick={() => {
                    props.onChooseEvent(type);
                  }}
                >
                  <span className="sc-event__icon" aria-hidden="true">
                    ✓
                  </span>
                  {eventText(type)}
                </button>
                {variants.length === 0 ? null : (
                  <span className="sc-summary__note">
                    {' '}
                    for {variants.map(subjectLabel).join(', ')}
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby={`${headingIds}-blocked`}>
        <h3 id={`${headingIds}-blocked`}>Blocked now</h3>
        {blockedEvents.length === 0 ? (
          <p>None.</p>
        ) : (
          <ul className="sc-summary__list">
            {blockedEvents.map((blocked, index) => (
              <li key={`${blocked.type}:${blocked.variant ?? ''}:${index}`}>
                <span className="sc-summary__blocked">
                  <span aria-hidden="true">✕ </span>
                  {blocked.label ?? eventLabel(blocked.type, blocked.variant)}
                </span>{' '}
                <span className="sc-summary__note">
                  ✕ blocked: {blocked.reason}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby={`${headingIds}-states`}>
        <h3 id={`${headingIds}-states`}>Where the episode is</h3>
        {current.length === 0 ? (
          <p>No active state.</p>
        ) : (
          <ul className="sc-summary__list">
            {current.map((id) => (
              <li key={id}>
                <span aria-hidden="true">● </span>active: {stateLabel(id)}
              </li>
            ))}
          </ul>
        )}
        {path.length === 0 ? null : (
          <>
            <h4>Path so far</h4>
            <ol className="sc-summary__list">
              {path.map(({ id, at }) => (
                <li key={id}>
                  {stateLabel(id)}, since{' '}
                  <time dateTime={at}>{formatSince(at)}</time>
                </li>
              ))}
            </ol>
          </>
        )}
      </section>
    </div>
  );
}

// ---------------------------------------------------------------------------
// The component
// ---------------------------------------------------------------------------

/**
 * The care-episode statechart as a diagram (laid out automatically by ELK,
 * drawn with xyflow), with the episode's active and visited states and the
 * transitions the user may take now, followed by the same as lists.
 */
const NONE: ReadonlySet<string> = new Set();
/** Every state that holds others (the root aside). */
const COLLAPSIBLE: ReadonlySet<string> = new Set(
  collapsibleStateIds(masEpisodeGraph()),
);
/** The orthogonal regions that hold states. */
const REGIONS: readonly string[] = masEpisodeGraph()
  .states.filter((state) => state.isRegion && COLLAPSIBLE.has(state.id))
  .map((state) => state.id);

export function StatechartDiagram(props: StatechartDiagramProps): JSX.Element {
  const { activeStateIds, visited, allowedEvents, blockedEvents } = props;
  // One stable callback for every node and edge: the nodes are not rebuilt
  // when only the parent's handler changes.
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });
  const onChooseEvent = useCallback((type: string) => {
    latest.current.onChooseEvent(type);
  }, []);
  // Closed states: their inside hidden, an active state inside marking
  // them active (the default: every state open).
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(NONE);
  const onToggle = useCallback((id: string) => {
    setCollapsed((before) => {
      const next = new Set(before);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }, []);
  const layoutState = useMasEpisodeLayout(collapsed);
  const highlights = useMemo(() => {
    const shownAs = shownStateOf(masEpisodeGraph(), collapsed);
    return diagramHighlights({
      activeStateIds: [
        ...new Set([...activeStateIds, ...activeStateIds.map(shownAs)]),
      ],
      visited,
      allowedEvents,
      blockedEvents,
    });
  }, [activeStateIds, visited, allowedEvents, blockedEvents, collapsed]);
  const layout =
    layoutState.status === 'ready' ? layoutState.layout : undefined;
  const nodes = useMemo(
    () =>
      layout === undefined
        ? []
        : flowNodes(layout, highlights, onChooseEvent, {
            collapsible: COLLAPSIBLE,
            collapsed,
            onToggle,
          }),
    [layout, highlights, onChooseEvent, collapsed, onToggle],
  );
  const edges = useMemo(
    () =>
      layout === undefined ? [] : flowEdges(layout, highlights, onChooseEvent),
    [layout, highlights, onChooseEvent],
  );
  const shownCurrent = currentStates(activeStateIds).filter((id) =>
    nodes.some((node) => node.id === id),
  );
  // Opened readable, on where the patient stands (not the whole chart at a
  // fifth of its size); fixed at the first layout (React Flow reads it once).
  const [firstView] = useState(() => ({
    nodes: firstViewStates(currentStates(activeStateIds)).map((id) => ({
      id,
    })),
    padding: 0.2,
    minZoom: READABLE_ZOOM,
    maxZoom: 1,
  }));
  // No heading of its own: the page puts it under its heading (h2); the
  // lists below use h3.
  return (
    <div className="sc-diagram">
      <p className="sc-legend">
        <span className="sc-legend__item sc-legend__item--active">
          ● active
        </span>
        <span className="sc-legend__item">since: first entered</span>
        <span className="sc-event sc-event--allowed sc-legend__event">
          <span className="sc-event__icon" aria-hidden="true">
            ✓
          </span>
          allowed
        </span>
        <span className="sc-event sc-event--blocked sc-legend__event">
          <span className="sc-event__icon" aria-hidden="true">
            ✕
          </span>
          blocked
        </span>
        <span className="sc-event sc-event--neutral sc-legend__event">
          <span className="sc-event__icon" aria-hidden="true">
            ·
          </span>
          other (automatic or sent by the system)
        </span>
      </p>
      <p className="sc-toolbar">
        <button
          type="button"
          onClick={() => {
            setCollapsed(new Set(REGIONS));
          }}
        >
          Collapse every region
        </button>{' '}
        <button
          type="button"
          disabled={collapsed.size === 0}
          onClick={() => {
            setCollapsed(NONE);
          }}
        >
          Expand all
        </button>{' '}
        <span className="hint">
          A collapsed state shows the events handled inside it; an active state
          inside marks it active.
        </span>
      </p>
      {layoutState.status === 'loading' ? (
        <p role="status" className="sc-loading">
          Laying out the statechart…
        </p>
      ) : layoutState.status === 'failed' ? (
        <p role="alert">
          The statechart could not be laid out ({layoutState.message}). The
          transitions are listed below.
        </p>
      ) : (
        <div
          className="sc-canvas"
          role="region"
          aria-label="Statechart diagram: zoom and pan with the controls; the same transitions are listed below"
          tabIndex={0}
        >
          <div className="sc-flow" style={{ height: props.height ?? 560 }}>
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              edgeTypes={edgeTypes}
              fitView
              fitViewOptions={firstView}
              minZoom={0.05}
              maxZoom={2}
              nodesDraggable={false}
              nodesConnectable={false}
              nodesFocusable={false}
              edgesFocusable={false}
              elementsSelectable={false}
              zIndexMode="manual"
              colorMode="light"
            >
              <Controls showInteractive={false} />
              {layout === undefined ? null : <FitOnNewLayout layout={layout} />}
              <ZoomButtons stateIds={shownCurrent} />
            </ReactFlow>
          </div>
        </div>
      )}
      <StatechartSummary {...props} />
    </div>
  );
}
