/**
 * mulberry32: a tiny, well-distributed 32-bit PRNG; pure integer math, so identical on every platform. Generated
 * models and fault plans use it so a failing run can be replayed from its seed.
 *
 * @example
 * ```ts
 * const random = createSeededRandom(42);
 * random(); // the same number on every machine
 * ```
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
