/**
 * Memoised panel work. The same panel object gives the same answer, so a
 * cache keyed by the object keeps the functions pure while sparing repeated
 * unit conversions (guards, the explainer and the model checker ask often).
 */
import {
  assessResponse,
  type InstitutionProfile,
  type LabPanel,
  type LabPanelInput,
  type PanelScreen,
  parseLabPanel,
  type ResponseResult,
  screenPanel,
} from '@mas/protocol';

const parsed = new WeakMap<LabPanelInput, LabPanel>();
const screened = new WeakMap<LabPanelInput, Map<boolean, PanelScreen>>();
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

/** screenPanel, memoised. */
export function screenOf(
  panel: LabPanelInput,
  onTocilizumab: boolean,
): PanelScreen {
  let byFlag = screened.get(panel);
  if (!byFlag) {
    byFlag = new Map();
    screened.set(panel, byFlag);
  }
  const hit = byFlag.get(onTocilizumab);
  if (hit) return hit;
  const result = screenPanel(parsePanel(panel), { onTocilizumab });
  byFlag.set(onTocilizumab, result);
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
