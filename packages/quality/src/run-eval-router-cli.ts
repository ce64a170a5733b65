import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SwitchyardError } from '@switchyard/contract';
import { createDifficultyScorer } from './create-difficulty-scorer.js';
import { evaluateRouter } from './evaluate-router.js';
import type { CurvePoint } from './evaluate-scores.js';
import { readRoutingRecords } from './routing-record.js';

/** Where the CLI writes; the bin passes the process streams, tests pass collectors. */
export interface CliOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const usage = 'usage: switchyard-eval-router --data <file.jsonl> [--json] [--plot <file.svg>]';

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

/** Every tenth point of the curve (and the last) as a small table. */
function curveTable(curve: readonly CurvePoint[]): string[] {
  const lines = ['cost–quality curve:', '  strong share  router acc.  random acc.  oracle acc.'];
  const step = Math.max(1, Math.round(curve.length / 10));
  curve.forEach((point, index) => {
    if (index % step !== 0 && index !== curve.length - 1) return;
    const cells = [point.accuracy, point.randomAccuracy, point.oracleAccuracy].map((value) =>
      percent(value).padStart(11),
    );
    lines.push(`  ${percent(point.strongShare).padStart(12)}  ${cells.join('  ')}`);
  });
  return lines;
}

/**
 * `switchyard-eval-router --data <jsonl> [--json] [--plot <file.svg>]`: evaluates the shipped difficulty scorer on a
 * labelled JSONL file and returns the exit code (0 ok, 1 bad data, 2 bad usage).
 */
export async function runEvalRouterCli(argv: readonly string[], output: CliOutput): Promise<number> {
  let values: { data?: string; json?: boolean; plot?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        data: { type: 'string' },
        json: { type: 'boolean', default: false },
        plot: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    output.stderr.write(`${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  if (values.help) {
    output.stdout.write(`${usage}\n`);
    return 0;
  }
  if (!values.data) {
    output.stderr.write(`--data is required: the labelled JSONL file to evaluate on\n${usage}\n`);
    return 2;
  }
  try {
    const records = await readRoutingRecords(values.data);
    const report = evaluateRouter({ records, scorer: createDifficultyScorer(), plot: values.plot !== undefined });
    if (values.plot && report.svg) await writeFile(values.plot, report.svg);
    const { svg: _svg, ...json } = report;
    if (values.json) {
      output.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return 0;
    }
    output.stdout.write(
      [
        `records: ${report.count} (weak accuracy ${percent(report.weakAccuracy)}, strong ${percent(report.strongAccuracy)})`,
        `strong calls needed for 95% of strong accuracy (${percent(report.targetAccuracy)}):`,
        `  router  ${percent(report.strongShareAt95)}`,
        `  random  ${percent(report.randomShareAt95)}`,
        `  oracle  ${percent(report.oracleShareAt95)}`,
        `savings vs random: ${percent(report.savingsVsRandom)}`,
        `scoring p99: ${report.scoreP99Micros.toFixed(1)} µs per prompt`,
        ...curveTable(report.curve),
        ...(values.plot ? [`plot written to ${values.plot}`] : []),
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    if (!SwitchyardError.isInstance(error)) throw error;
    output.stderr.write(`${error.message}\n`);
    return 1;
  }
}
