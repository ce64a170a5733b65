import { InvalidConfigError } from '@switchyard/contract';
import type { ScoreEvaluation } from './evaluate-scores.js';
import { evaluateScores } from './evaluate-scores.js';
import type { CurvePlotOptions } from './render-curve-svg.js';
import { renderCurveSvg } from './render-curve-svg.js';
import type { RoutingRecord } from './routing-record.js';

/** What {@link evaluateRouter} returns; the JSON of `switchyard eval-router --json`. */
export interface EvaluationReport extends ScoreEvaluation {
  /** 99th percentile of the time one `scorer(prompt)` call took, in microseconds (after a short warm-up). */
  scoreP99Micros: number;
  /** The cost–quality plot as a standalone SVG document, when `plot` was asked for. */
  svg?: string;
}

/** Options for {@link evaluateRouter}. */
export interface EvaluateRouterOptions {
  /** Labelled prompts, e.g. from `readRoutingRecords`. */
  records: readonly Pick<RoutingRecord, 'prompt' | 'weakCorrect' | 'strongCorrect'>[];
  /** The difficulty scorer under test; must return numbers in [0, 1]. */
  scorer: (prompt: string) => number;
  /** `true` or plot options to include an SVG plot of the curve in the report. */
  plot?: boolean | CurvePlotOptions;
  /** Number of evenly spaced points in `curve` (default 101). */
  curvePoints?: number;
}

const warmUpCalls = 200;

/**
 * Scores every record, sweeps the threshold and reports the strong-call fraction needed to reach 95 % of strong-only
 * accuracy for the scorer, a random router and a perfect oracle, the savings against random, the cost–quality curve,
 * an optional SVG plot, and the p99 scoring time. Definitions are on `evaluateScores`.
 * @example
 * const records = await readRoutingRecords('train.jsonl');
 * const report = evaluateRouter({ records, scorer: scoreDifficulty, plot: true });
 * console.log(`${(report.savingsVsRandom * 100).toFixed(1)} % fewer strong calls than random`);
 */
export function evaluateRouter(options: EvaluateRouterOptions): EvaluationReport {
  const { records, scorer } = options;
  // Warm up so the timing measures steady-state scoring, not the first calls' compilation.
  for (let i = 0; i < Math.min(warmUpCalls, records.length); i++) scorer(records[i]!.prompt);
  const scores = new Float64Array(records.length);
  const micros = new Float64Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const start = performance.now();
    const score = scorer(records[i]!.prompt);
    micros[i] = (performance.now() - start) * 1000;
    if (!Number.isFinite(score) || score < 0 || score > 1) {
      throw new InvalidConfigError({
        problems: [{ path: 'scorer', message: `returned ${score} for record ${i}; a score must be between 0 and 1` }],
      });
    }
    scores[i] = score;
  }
  const evaluation = evaluateScores({ outcomes: records, scores, curvePoints: options.curvePoints });
  micros.sort();
  const scoreP99Micros = micros.length > 0 ? micros[Math.max(0, Math.ceil(micros.length * 0.99) - 1)]! : 0;
  const report: EvaluationReport = { ...evaluation, scoreP99Micros };
  if (options.plot) report.svg = renderCurveSvg(evaluation, options.plot === true ? {} : options.plot);
  return report;
}
