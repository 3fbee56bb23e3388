/**
 * Quantiles of a sample by linear interpolation between order statistics:
 * Hyndman and Fan's type 7, the default of R's `quantile()` and of NumPy.
 */
export const quantileMethod =
  'Hyndman-Fan type 7: linear interpolation between order statistics';

/** The p-quantile (0 ≤ p ≤ 1) of ascending values; null for no values. */
export function quantile(sorted: readonly number[], p: number): number | null {
  const last = sorted.length - 1;
  if (last < 0) return null;
  const h = last * p;
  const lo = Math.floor(h);
  const below = sorted[lo] ?? Number.NaN;
  const above = sorted[Math.min(lo + 1, last)] ?? Number.NaN;
  return below + (h - lo) * (above - below);
}
