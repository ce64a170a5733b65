import { createSeededRandom, shuffleInPlace } from './seeded-random.js';

/** What {@link assignFolds} needs to know about a record. */
export interface FoldItem {
  /** Records with the same stratum (benchmark/subject) are spread evenly over the folds. */
  stratum: string;
  /** Records with the same group key (e.g. the same prompt text) always land in the same fold. */
  group: string;
}

/**
 * Assigns each item a fold in `[0, folds)`: groups are kept whole (so a prompt that appears twice never sits on both
 * sides of a split) and each stratum is dealt round-robin after a seeded shuffle, so every fold gets the same
 * benchmark/subject mix.
 * @example
 * const fold = assignFolds(records.map((r) => ({ stratum: r.subject ?? r.benchmark, group: r.prompt })), 5, 7);
 */
export function assignFolds(items: readonly FoldItem[], folds: number, seed: number): Int32Array {
  const random = createSeededRandom(seed);
  const groupsByStratum = new Map<string, Map<string, number[]>>();
  for (const [index, item] of items.entries()) {
    let groups = groupsByStratum.get(item.stratum);
    if (!groups) {
      groups = new Map();
      groupsByStratum.set(item.stratum, groups);
    }
    const members = groups.get(item.group);
    if (members) members.push(index);
    else groups.set(item.group, [index]);
  }
  const result = new Int32Array(items.length);
  const seenGroups = new Map<string, number>();
  let offset = 0;
  for (const stratum of [...groupsByStratum.keys()].sort()) {
    const groups = shuffleInPlace([...groupsByStratum.get(stratum)!.entries()], random);
    for (const [group, members] of groups) {
      // A prompt that also appears under another subject follows its first copy's fold.
      const fold = seenGroups.get(group) ?? offset++ % folds;
      seenGroups.set(group, fold);
      for (const member of members) result[member] = fold;
    }
  }
  return result;
}
