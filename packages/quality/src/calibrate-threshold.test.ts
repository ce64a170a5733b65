import { describe, expect, it } from 'vitest';
import { calibrateThreshold } from './calibrate-threshold.js';

const scores = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95];
const shareAtOrAbove = (threshold: number) => scores.filter((score) => score >= threshold).length / scores.length;

describe('calibrateThreshold', () => {
  it('sends the requested share of prompts remote', () => {
    for (const share of [0.1, 0.3, 0.5, 0.9]) {
      expect(shareAtOrAbove(calibrateThreshold(scores, share))).toBeCloseTo(share, 12);
    }
  });

  it('puts the threshold halfway between the last remote and the first local score', () => {
    expect(calibrateThreshold(scores, 0.3)).toBeCloseTo(0.7, 12);
  });

  it('sends nothing remote at share 0 and everything at share 1', () => {
    expect(calibrateThreshold(scores, 0)).toBe(1);
    expect(calibrateThreshold(scores, 1)).toBe(0);
  });

  it('does not reorder the caller’s array', () => {
    const copy = [...scores].reverse();
    calibrateThreshold(copy, 0.5);
    expect(copy).toEqual([...scores].reverse());
  });

  it('rejects a share outside [0, 1] or scores it cannot use, naming the argument', () => {
    expect(() => calibrateThreshold(scores, 1.5)).toThrowError(/remoteShare: must be a fraction between 0 and 1/);
    expect(() => calibrateThreshold([], 0.3)).toThrowError(/scores: needs at least one score/);
    expect(() => calibrateThreshold([0.2, Number.NaN], 0.3)).toThrowError(/scores\[1\]: must be a number/);
  });
});
