/** The seed of course `index` of a batch: deterministic, well spread. */
export function courseSeed(seed: number, index: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 2_654_435_761) + index * 40_503) | 0;
}
