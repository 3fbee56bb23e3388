import { xoroshiro128plus } from 'pure-rand';

/** Seeded randomness: the same seed gives the same sequence, everywhere. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Normal with this mean and standard deviation (Box-Muller). */
  normal(mean: number, sd: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** An independent stream derived from this one (e.g. one per course). */
  fork(): Random;
}

const TWO_32 = 2 ** 32;

export function createRandom(seed: number): Random {
  const generator = xoroshiro128plus(seed | 0);
  const next = () => (generator.unsafeNext() >>> 0) / TWO_32;
  const random: Random = {
    next,
    normal(mean, sd) {
      const u = Math.max(next(), Number.MIN_VALUE);
      const v = next();
      return (
        mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
      );
    },
    chance(p) {
      return next() < p;
    },
    fork() {
      return createRandom(Math.floor(next() * TWO_32));
    },
  };
  return random;
}
