#!/usr/bin/env node
/**
 * `switchyard-eval-router --data <jsonl> [--json] [--plot <file.svg>]`: evaluates the shipped difficulty scorer on a
 * labelled JSONL file. The server's `switchyard eval-router` wraps the same `evaluateRouter`.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SwitchyardError } from '@switchyard/spec';
import { createDifficultyScorer } from './create-difficulty-scorer.js';
import { evaluateRouter } from './evaluate-router.js';
import { readRoutingRecords } from './routing-record.js';

const usage = 'usage: switchyard-eval-router --data <file.jsonl> [--json] [--plot <file.svg>]';

async function main(): Promise<number> {
  let values: { data?: string; json?: boolean; plot?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        data: { type: 'string' },
        json: { type: 'boolean', default: false },
        plot: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (!values.data) {
    process.stderr.write(`--data is required: the labelled JSONL file to evaluate on\n${usage}\n`);
    return 2;
  }
  const records = await readRoutingRecords(values.data);
  const report = evaluateRouter({ records, scorer: createDifficultyScorer(), plot: values.plot !== undefined });
  if (values.plot && report.svg) await writeFile(values.plot, report.svg);
  const { svg: _svg, ...json } = report;
  if (values.json) {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
  process.stdout.write(
    [
      `records: ${report.count} (weak accuracy ${percent(report.weakAccuracy)}, strong ${percent(report.strongAccuracy)})`,
      `strong calls needed for 95% of strong accuracy (${percent(report.targetAccuracy)}):`,
      `  router  ${percent(report.strongShareAt95)}`,
      `  random  ${percent(report.randomShareAt95)}`,
      `  oracle  ${percent(report.oracleShareAt95)}`,
      `savings vs random: ${percent(report.savingsVsRandom)}`,
      `scoring p99: ${report.scoreP99Micros.toFixed(1)} µs per prompt`,
      ...(values.plot ? [`plot written to ${values.plot}`] : []),
      '',
    ].join('\n'),
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${SwitchyardError.isInstance(error) ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
