import { describe, expect, it } from 'vitest';
import { createDifficultyScorer } from './create-difficulty-scorer.js';
import { evaluateRouter } from './evaluate-router.js';

const records = Array.from({ length: 40 }, (_, i) => ({
  prompt: `Question number ${i}: what is ${i} + ${i}?`,
  weakCorrect: i % 3 !== 0,
  strongCorrect: i % 5 !== 0,
}));

describe('evaluateRouter', () => {
  it('reports the figures, curve, timing and plot for a real scorer', () => {
    const report = evaluateRouter({ records, scorer: createDifficultyScorer(), plot: { title: 'synthetic <test>' } });
    expect(report.count).toBe(40);
    expect(report.strongShareAt95).toBeGreaterThanOrEqual(0);
    expect(report.strongShareAt95).toBeLessThanOrEqual(1);
    expect(report.randomShareAt95).toBeGreaterThan(0);
    expect(report.scoreP99Micros).toBeGreaterThan(0);
    expect(report.curve).toHaveLength(101);
    expect(report.svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(report.svg).toContain('synthetic &lt;test&gt;');
    expect(report.svg).toContain('</svg>');
    expect(JSON.parse(JSON.stringify(report))).toMatchObject({
      strongShareAt95: report.strongShareAt95,
      randomShareAt95: report.randomShareAt95,
      oracleShareAt95: report.oracleShareAt95,
      savingsVsRandom: report.savingsVsRandom,
      scoreP99Micros: report.scoreP99Micros,
    });
  });

  it('leaves the plot out unless asked', () => {
    expect(evaluateRouter({ records, scorer: () => 0.5 }).svg).toBeUndefined();
  });

  it('rejects a scorer that returns something outside [0, 1]', () => {
    expect(() => evaluateRouter({ records, scorer: () => Number.NaN })).toThrowError(
      /scorer: returned NaN for record 0/,
    );
    expect(() => evaluateRouter({ records, scorer: () => 2 })).toThrowError(/between 0 and 1/);
  });
});
