/**
 * Memoised panel work. The same panel object gives the same answer, so a
 * cache keyed by the object keeps the functions pure while sparing repeated
 * unit conversions (guards, the explainer and the model checker ask often).
 */
import {
  addToPicture,
  assessResponse,
  assessResponseCourse,
  type CourseResponse,
  type InstitutionProfile,
  type LabPanel,
  type LabPanelInput,
  type LabPicture,
  parseLabPanel,
  type PictureScreen,
  type ResponseCourseInput,
  type ResponseResult,
  screenPicture,
} from '@mas/protocol';

const parsed = new WeakMap<LabPanelInput, LabPanel>();
const assessed = new WeakMap<
  LabPanelInput,
  WeakMap<LabPanelInput, Map<string, ResponseResult>>
>();

/** parseLabPanel, memoised (throws as it does). */
export function parsePanel(panel: LabPanelInput): LabPanel {
  const hit = parsed.get(panel);
  if (hit) return hit;
  const result = parseLabPanel(panel);
  parsed.set(panel, result);
  return result;
}

/** assessResponse, memoised per panel pair and profile hash. */
export function responseOf(
  baseline: LabPanelInput,
  current: LabPanelInput,
  profile: InstitutionProfile,
): ResponseResult {
  let byCurrent = assessed.get(baseline);
  if (!byCurrent) {
    byCurrent = new WeakMap();
    assessed.set(baseline, byCurrent);
  }
  let byProfile = byCurrent.get(current);
  if (!byProfile) {
    byProfile = new Map();
    byCurrent.set(current, byProfile);
  }
  const hit = byProfile.get(profile.hash);
  if (hit) return hit;
  const result = assessResponse(
    parsePanel(baseline),
    parsePanel(current),
    profile,
  );
  byProfile.set(profile.hash, result);
  return result;
}

const added = new WeakMap<
  LabPicture,
  WeakMap<LabPanelInput, Map<string, LabPicture>>
>();

/**
 * addToPicture, memoised per picture and panel object and sample time: the
 * same inputs give the same picture object, so its screen is memoised too.
 */
export function pictureWith(
  picture: LabPicture,
  panel: LabPanelInput,
  collectedAt: string,
): LabPicture {
  let byPanel = added.get(picture);
  if (!byPanel) {
    byPanel = new WeakMap();
    added.set(picture, byPanel);
  }
  let byTime = byPanel.get(panel);
  if (!byTime) {
    byTime = new Map();
    byPanel.set(panel, byTime);
  }
  const hit = byTime.get(collectedAt);
  if (hit) return hit;
  const result = addToPicture(picture, { collectedAt, panel });
  byTime.set(collectedAt, result);
  return result;
}

const pictured = new WeakMap<LabPicture, Map<string, PictureScreen>>();

/**
 * screenPicture at `at`, memoised per picture object, read with what the
 * episode knows (tocilizumab given, the admission's underlying disease).
 */
export function pictureScreenOf(
  picture: LabPicture,
  at: string,
  onTocilizumab: boolean,
  underlyingDisease: string,
): PictureScreen {
  let byKey = pictured.get(picture);
  if (!byKey) {
    byKey = new Map();
    pictured.set(picture, byKey);
  }
  const key = `${at}|${String(onTocilizumab)}|${underlyingDisease}`;
  const hit = byKey.get(key);
  if (hit) return hit;
  const result = screenPicture(picture, at, {
    onTocilizumab,
    underlyingDisease,
  });
  byKey.set(key, result);
  return result;
}

/**
 * Per current panel: its first assessment as asked (the key is worked out
 * only when the panel is asked about again: a panel new to the cache, the
 * usual case, cannot hit), then assessments by key.
 */
interface Coursed {
  first: {
    readonly input: ResponseCourseInput;
    readonly result: CourseResponse;
  } | null;
  readonly byKey: Map<string, CourseResponse>;
}

const coursed = new WeakMap<LabPanelInput, Coursed>();

const courseKey = (input: ResponseCourseInput): string =>
  JSON.stringify([
    input.baseline,
    input.previous ?? null,
    input.current.at,
    input.therapyStartedAt,
    input.profile.hash,
  ]);

/** assessResponseCourse, memoised per current panel and the rest of the input. */
export function courseResponseOf(input: ResponseCourseInput): CourseResponse {
  const current = input.current.panel as LabPanelInput;
  const cached = coursed.get(current);
  if (!cached) {
    const result = assessResponseCourse(input);
    coursed.set(current, { first: { input, result }, byKey: new Map() });
    return result;
  }
  if (cached.first) {
    cached.byKey.set(courseKey(cached.first.input), cached.first.result);
    cached.first = null;
  }
  const key = courseKey(input);
  const hit = cached.byKey.get(key);
  if (hit) return hit;
  const result = assessResponseCourse(input);
  cached.byKey.set(key, result);
  return result;
}
