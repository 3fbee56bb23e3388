/**
 * The lab picture of an episode: the latest value of each analyte and each
 * finding, with the time its sample was collected. Panels combine: a small
 * panel of blood counts keeps the morning's ferritin. The picture is plain
 * JSON (it can live in a persisted snapshot); every function here is pure.
 */
import {
  type PanelScreen,
  type ScreenOptions,
  screenPanel,
} from '../calculators/panel-screen.js';
import { ClinicalInputError } from '../errors/clinical-input.error.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import { type PanelItemId, panelItemIds } from '../protocol/protocol.types.js';
import { parseInstant } from '../units/instant.util.js';
import { MS_PER_HOUR } from '../units/time.constant.js';
import type { LabPanelInput } from './lab-panel.schema.js';
import { labPanelData } from './lab-panel.util.js';

/** One item of the picture: its value and the sample it came from. */
export interface PictureEntry<V> {
  readonly value: V;
  /** When the sample was collected (ISO 8601 date-time with a time zone). */
  readonly collectedAt: string;
  /** Where it was recorded, e.g. the id of the panel event. */
  readonly source?: string;
}

type PanelValue<K extends PanelItemId> = NonNullable<LabPanelInput[K]>;

/** The latest value of each item: a missing key was never recorded. */
export type LabPicture = {
  readonly [K in PanelItemId]?: PictureEntry<PanelValue<K>>;
};

/** A panel as collected: its sample time and, optionally, its source. */
export interface CollectedPanel {
  readonly collectedAt: string;
  readonly panel: LabPanelInput;
  readonly source?: string;
}

/** Which sample each item of a panel came from. */
export type PictureProvenance = Readonly<
  Partial<
    Record<
      PanelItemId,
      { readonly collectedAt: string; readonly source?: string }
    >
  >
>;

/** An item left out of the picture at a time, and why. */
export interface ExcludedItem {
  readonly item: PanelItemId;
  readonly collectedAt: string;
  /** Older than the window, or collected after the time asked about. */
  readonly reason: 'older-than-window' | 'collected-after';
}

const definition = masProtocolDefinition.labPicture;
const durable = new Set<PanelItemId>(definition.durableItems);

type MutablePicture = Partial<Record<PanelItemId, PictureEntry<unknown>>>;

const entriesOf = (picture: LabPicture) =>
  panelItemIds.flatMap((item) => {
    const entry = (picture as MutablePicture)[item];
    return entry === undefined ? [] : [{ item, entry }];
  });

/**
 * The picture with a collected panel added: each item the panel carries
 * replaces the one held unless the one held was collected later (a result
 * arriving late never replaces a newer one). At the same sample time the
 * panel added last wins (a correction). Throws a ClinicalInputError for an
 * invalid panel (fields under `panel.`) or sample time (`collectedAt`).
 */
export function addToPicture(
  picture: LabPicture,
  collected: CollectedPanel,
): LabPicture {
  const time = parseInstant(collected.collectedAt, 'collectedAt');
  let panel: LabPanelInput;
  try {
    // Validated, and the schema's output, once per panel object.
    panel = labPanelData(collected.panel);
  } catch (error) {
    if (error instanceof ClinicalInputError) throw error.under('panel');
    throw error;
  }
  const next: MutablePicture = { ...picture };
  for (const item of panelItemIds) {
    const value = panel[item];
    if (value === undefined) continue;
    const held = next[item];
    if (
      held !== undefined &&
      parseInstant(held.collectedAt, `${item}.collectedAt`) > time
    ) {
      continue;
    }
    next[item] =
      collected.source === undefined
        ? { value, collectedAt: collected.collectedAt }
        : {
            value,
            collectedAt: collected.collectedAt,
            source: collected.source,
          };
  }
  return next as LabPicture;
}

function partition(
  picture: LabPicture,
  at: string,
  windowHours: number,
): { within: LabPicture; excluded: ExcludedItem[] } {
  const now = parseInstant(at, 'at');
  if (!Number.isFinite(windowHours) || windowHours < 0) {
    throw new ClinicalInputError(
      'windowHours',
      `must be a number of hours, 0 or more (got ${windowHours})`,
    );
  }
  const within: MutablePicture = {};
  const excluded: ExcludedItem[] = [];
  for (const { item, entry } of entriesOf(picture)) {
    const collected = parseInstant(entry.collectedAt, `${item}.collectedAt`);
    const reason =
      collected > now
        ? 'collected-after'
        : !durable.has(item) && now - collected > windowHours * MS_PER_HOUR
          ? 'older-than-window'
          : undefined;
    if (reason === undefined) within[item] = entry;
    else excluded.push({ item, collectedAt: entry.collectedAt, reason });
  }
  return { within: within as LabPicture, excluded };
}

/**
 * The items of the picture known at `at`: collected at or before it, and at
 * most `windowHours` old (durable findings and the age whatever their age).
 */
export function pictureAt(
  picture: LabPicture,
  at: string,
  windowHours: number = definition.windowHours,
): LabPicture {
  return partition(picture, at, windowHours).within;
}

/** The picture as a panel for the calculators, with each item's sample. */
export function pictureAsPanel(picture: LabPicture): {
  readonly panel: LabPanelInput;
  readonly provenance: PictureProvenance;
} {
  const panel: Record<string, unknown> = {};
  const provenance: Record<string, PictureProvenance[PanelItemId]> = {};
  for (const { item, entry } of entriesOf(picture)) {
    panel[item] = entry.value;
    provenance[item] =
      entry.source === undefined
        ? { collectedAt: entry.collectedAt }
        : { collectedAt: entry.collectedAt, source: entry.source };
  }
  return { panel, provenance };
}

export interface PictureScreen {
  readonly at: string;
  readonly windowHours: number;
  /** The calculators on the picture at `at`. */
  readonly screen: PanelScreen;
  /** The panel they ran on. */
  readonly panel: LabPanelInput;
  /** Which sample each item of that panel came from. */
  readonly provenance: PictureProvenance;
  /** Items of the picture left out at `at` (too old, or collected later). */
  readonly excluded: readonly ExcludedItem[];
  readonly evidence: readonly string[];
}

/**
 * Runs the calculators on the picture known at `at`. An item left out of
 * the window is not assessed (never absent): a verdict it could turn
 * becomes "cannot be decided yet".
 */
export function screenPicture(
  picture: LabPicture,
  at: string,
  options: ScreenOptions & { readonly windowHours?: number } = {},
): PictureScreen {
  const windowHours = options.windowHours ?? definition.windowHours;
  const { within, excluded } = partition(picture, at, windowHours);
  const { panel, provenance } = pictureAsPanel(within);
  return {
    at,
    windowHours,
    screen: screenPanel(
      panel,
      Object.assign(
        {},
        options.onTocilizumab === undefined
          ? {}
          : { onTocilizumab: options.onTocilizumab },
        options.underlyingDisease === undefined
          ? {}
          : { underlyingDisease: options.underlyingDisease },
      ),
    ),
    panel,
    provenance,
    excluded,
    evidence: definition.evidence,
  };
}
