import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidConfigError } from '@switchyard/contract';
import type { CliIO } from '../cli-io.js';
import { CliError, exitCodes } from '../cli-io.js';

/** Options of `eval-router`, as parsed from the command line. */
export interface EvalRouterOptions {
  data: string;
  json?: boolean;
  plot?: string;
}

interface CurvePoint {
  strongShare: number;
  accuracy: number;
  randomAccuracy?: number;
  oracleAccuracy?: number;
  threshold?: number;
}

/** The figures `@switchyard/quality`'s `evaluateRouter` reports (the fields the CLI prints). */
interface RouterEvaluation {
  strongShareAt95: number;
  randomShareAt95: number;
  oracleShareAt95: number;
  savingsVsRandom: number;
  scoreP99Micros?: number;
  curve?: CurvePoint[];
  count?: number;
  weakAccuracy?: number;
  strongAccuracy?: number;
  /** An SVG document, when a plot was asked for. */
  svg?: string;
  plot?: string;
}

interface QualityModule {
  readRoutingRecords(path: string): Promise<unknown[]>;
  createDifficultyScorer(): (prompt: string) => number;
  evaluateRouter(options: {
    records: unknown[];
    scorer: (prompt: string) => number;
    plot?: boolean | string;
  }): RouterEvaluation | Promise<RouterEvaluation>;
}

async function loadQuality(): Promise<QualityModule> {
  const specifier: string = '@switchyard/quality';
  let module: Partial<QualityModule>;
  try {
    module = (await import(specifier)) as Partial<QualityModule>;
  } catch (error) {
    throw new CliError(
      `eval-router needs @switchyard/quality (${(error as Error).message}); install it next to @switchyard/server`,
    );
  }
  for (const name of ['readRoutingRecords', 'createDifficultyScorer', 'evaluateRouter'] as const) {
    if (typeof module[name] !== 'function') {
      throw new CliError(`@switchyard/quality does not export ${name}(); update it`);
    }
  }
  return module as QualityModule;
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** Every tenth point of the curve as a small table. */
function curveTable(curve: readonly CurvePoint[]): string[] {
  const lines = ['  strong share  router acc.  random acc.  oracle acc.'];
  const step = Math.max(1, Math.round(curve.length / 10));
  curve.forEach((point, index) => {
    if (index % step !== 0 && index !== curve.length - 1) return;
    const cell = (value: number | undefined) => (value === undefined ? '-' : percent(value)).padStart(11);
    lines.push(
      `  ${percent(point.strongShare).padStart(12)}  ${cell(point.accuracy)}  ${cell(point.randomAccuracy)}  ${cell(point.oracleAccuracy)}`,
    );
  });
  return lines;
}

/**
 * `switchyard eval-router --data <jsonl>`: scores each prompt of a routing data set with the on-device difficulty
 * scorer and reports how few strong-model calls keep 95 % of strong-only quality, against random and oracle
 * routing, and the scorer's p99 latency. `--plot file.svg` writes the cost–quality curve.
 */
export async function evalRouterCommand(options: EvalRouterOptions, io: CliIO): Promise<number> {
  const quality = await loadQuality();
  const dataPath = resolve(io.cwd ?? process.cwd(), options.data);
  let records: unknown[];
  try {
    records = await quality.readRoutingRecords(dataPath);
  } catch (error) {
    // The problems are in the data file, not in a configuration: say so, and which flag named it.
    if (!InvalidConfigError.isInstance(error)) throw error;
    const lines = error.problems.map((problem) => `  - ${problem.path ? `${problem.path}: ` : ''}${problem.message}`);
    throw new CliError(`Invalid eval-router data (--data ${options.data}):\n${lines.join('\n')}`);
  }
  const scorer = quality.createDifficultyScorer();
  const result = await quality.evaluateRouter({ records, scorer, ...(options.plot ? { plot: true } : {}) });
  if (options.plot) {
    const svg = result.svg ?? result.plot;
    if (typeof svg !== 'string') throw new CliError('@switchyard/quality returned no plot; update it');
    const plotPath = resolve(io.cwd ?? process.cwd(), options.plot);
    try {
      await writeFile(plotPath, svg);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new CliError(`Cannot write the plot (--plot ${options.plot}) to ${plotPath}: ${reason}`);
    }
  }
  const summary = {
    strongShareAt95: result.strongShareAt95,
    randomShareAt95: result.randomShareAt95,
    oracleShareAt95: result.oracleShareAt95,
    savingsVsRandom: result.savingsVsRandom,
    scoreP99Micros: result.scoreP99Micros,
  };
  if (options.json) {
    io.stdout.write(`${JSON.stringify(summary)}\n`);
    return exitCodes.ok;
  }
  const lines = [
    `Records: ${records.length}`,
    `Strong-model share needed for 95% of strong-only quality:`,
    `  router  ${percent(summary.strongShareAt95)}`,
    `  random  ${percent(summary.randomShareAt95)}`,
    `  oracle  ${percent(summary.oracleShareAt95)}`,
    `Savings vs random routing: ${percent(summary.savingsVsRandom)} fewer strong calls`,
    ...(summary.scoreP99Micros === undefined ? [] : [`Scorer p99 latency: ${summary.scoreP99Micros.toFixed(1)} µs`]),
  ];
  if (result.curve?.length) lines.push('Cost–quality curve:', ...curveTable(result.curve));
  if (options.plot) lines.push(`Plot written to ${options.plot}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return exitCodes.ok;
}
