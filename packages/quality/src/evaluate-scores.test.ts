import { describe, expect, it } from 'vitest';
import type { RoutingOutcome } from './evaluate-scores.js';
import { evaluateScores } from './evaluate-scores.js';

/** 100 prompts: 50 both right, 20 only strong right, 10 only weak right, 20 both wrong. W = 0.6, S = 0.7. */
function syntheticOutcomes(): RoutingOutcome[] {
  const outcomes: RoutingOutcome[] = [];
  const add = (count: number, weakCorrect: boolean, strongCorrect: boolean) => {
    for (let i = 0; i < count; i++) outcomes.push({ weakCorrect, strongCorrect });
  };
  add(50, true, true);
  add(20, false, true);
  add(10, true, false);
  add(20, false, false);
  return outcomes;
}

const gain = (outcome: RoutingOutcome) => Number(outcome.strongCorrect) - Number(outcome.weakCorrect);

describe('evaluateScores', () => {
  const outcomes = syntheticOutcomes();
  // Target 0.95 × 0.7 = 0.665; random needs (0.665 − 0.6) / (0.7 − 0.6) = 0.65; the oracle needs 0.665 − 0.6 = 0.065.

  it('computes the random-router baseline analytically', () => {
    const result = evaluateScores({ outcomes, scores: outcomes.map(() => 0.5) });
    expect(result.weakAccuracy).toBeCloseTo(0.6, 12);
    expect(result.strongAccuracy).toBeCloseTo(0.7, 12);
    expect(result.targetAccuracy).toBeCloseTo(0.665, 12);
    expect(result.randomShareAt95).toBeCloseTo(0.65, 12);
    expect(result.oracleShareAt95).toBeCloseTo(0.065, 12);
  });

  it('gives a constant scorer exactly the random router share (ties are split at random)', () => {
    const result = evaluateScores({ outcomes, scores: outcomes.map(() => 0.3) });
    expect(result.strongShareAt95).toBeCloseTo(0.65, 12);
    expect(result.savingsVsRandom).toBeCloseTo(0, 12);
  });

  it('gives a perfect scorer the oracle share', () => {
    const result = evaluateScores({ outcomes, scores: outcomes.map((outcome) => (gain(outcome) + 1) / 2) });
    expect(result.strongShareAt95).toBeCloseTo(result.oracleShareAt95, 12);
    expect(result.savingsVsRandom).toBeCloseTo(1 - 0.065 / 0.65, 12);
  });

  it('gives an anti-oracle (worst first) a share above random', () => {
    const result = evaluateScores({ outcomes, scores: outcomes.map((outcome) => (1 - gain(outcome)) / 2) });
    expect(result.strongShareAt95).toBeGreaterThan(result.randomShareAt95);
    expect(result.savingsVsRandom).toBeLessThan(0);
  });

  it('returns a curve from weak-only to strong-only accuracy with the baselines alongside', () => {
    const result = evaluateScores({ outcomes, scores: outcomes.map((outcome) => (gain(outcome) + 1) / 2) });
    expect(result.curve).toHaveLength(101);
    expect(result.curve[0]).toMatchObject({ strongShare: 0, threshold: 1 });
    expect(result.curve[0]!.accuracy).toBeCloseTo(0.6, 12);
    expect(result.curve[100]!.accuracy).toBeCloseTo(0.7, 12);
    // The oracle peaks at W + (only-strong-right share) = 0.8 and the perfect scorer follows it.
    expect(result.curve[20]!.accuracy).toBeCloseTo(0.8, 12);
    expect(result.curve[20]!.oracleAccuracy).toBeCloseTo(0.8, 12);
    expect(result.curve[50]!.randomAccuracy).toBeCloseTo(0.65, 12);
  });

  it('needs no strong calls when the weak model already reaches the target', () => {
    const easy: RoutingOutcome[] = [
      { weakCorrect: true, strongCorrect: true },
      { weakCorrect: true, strongCorrect: false },
    ];
    const result = evaluateScores({ outcomes: easy, scores: [0.9, 0.1] });
    expect(result).toMatchObject({ strongShareAt95: 0, randomShareAt95: 0, oracleShareAt95: 0, savingsVsRandom: 0 });
  });

  it('rejects scores that do not match the records', () => {
    expect(() => evaluateScores({ outcomes, scores: [0.5] })).toThrowError(/scores: has 1 entries but there are 100/);
    expect(() => evaluateScores({ outcomes: [], scores: [] })).toThrowError(/records: needs at least one record/);
  });
});
