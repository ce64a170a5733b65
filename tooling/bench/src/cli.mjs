#!/usr/bin/env node
// `pnpm bench`: Switchyard's cost in the hot path, measured side by side against direct calls on loopback.
// Options: see `usage` below (`pnpm bench --help`).
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allRows } from './all-rows.mjs';
import { machineInfo } from './machine.mjs';
import { roundDeep } from './stats.mjs';
import { figuresOf, formatTable } from './table.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const usage = `Usage: pnpm bench [--rounds N] [--quick] [--only ${allRows.join(',')}] [--json] [--out FILE]
  --rounds N   measured rounds after one warm-up round (default 5)
  --quick      one round with small N: the CI smoke (no thresholds anywhere)
  --only a,b   the rows to run (default all)
  --json       one JSON object with every figure on stdout, the table on stderr (or BENCH_JSON=1)
  --out FILE   also write the JSON object to FILE`;

function parseOptions() {
  try {
    return parseArgs({
      // pnpm and turbo pass a literal `--` through to the script: ignore it.
      args: process.argv.slice(2).filter((arg) => arg !== '--'),
      options: {
        rounds: { type: 'string' },
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        json: { type: 'boolean', default: process.env.BENCH_JSON === '1' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    fail(error.message);
  }
}

/** A bad option: say which and how to call the bench, without a stack trace. */
function fail(message) {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}
const values = parseOptions();
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const quick = values.quick;
const rounds = quick ? 1 : Number(values.rounds ?? 5);
if (!Number.isInteger(rounds) || rounds < 1) fail(`--rounds: expected a whole number ≥ 1, got "${values.rounds}"`);
const only = values.only ? values.only.split(',').map((name) => name.trim()) : allRows;
for (const name of only) {
  if (!allRows.includes(name)) fail(`--only: unknown row "${name}"; expected some of ${allRows.join(', ')}`);
}
const out = values.json ? process.stderr : process.stdout;
const log = (line) => out.write(`${line}\n`);

/** Starts a child process that sends one `{ url }` message when it listens. */
function startChild(file, args = [], execArgv = []) {
  const child = fork(join(here, file), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, url: message.url }));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before listening`)));
  });
}

function runRow(row, options) {
  // The decision row's allocation count needs a young generation large enough that no scavenge runs mid-loop.
  const execArgv = [
    '--expose-gc',
    ...(row === 'decision' ? ['--max-semi-space-size=64', '--min-semi-space-size=64'] : []),
  ];
  const child = fork(join(here, 'row.mjs'), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let settled = false;
    child.on('message', (message) => {
      if (message.log) log(`  ${message.log}`);
      else if (message.result) {
        settled = true;
        resolve(message.result);
      } else if (message.error) {
        settled = true;
        reject(new Error(`row ${row} failed:\n${message.error}`));
      }
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`row ${row} exited with ${code} without a result`));
    });
    child.send({ row, ...options });
  });
}

const machine = machineInfo();
const loadBefore = machine.loadavg;
log(`Switchyard bench — ${rounds} round(s)${quick ? ' (quick)' : ''}, rows: ${only.join(', ')}`);
log(
  `${machine.cpu} × ${machine.cores}, Node ${machine.node}, undici ${machine.undici}, load ${loadBefore.map((v) => v.toFixed(2)).join(' ')}`,
);

const upstream = await startChild('upstream.mjs');
const results = {};
const failures = [];
try {
  for (const row of only) {
    log(`row ${row}…`);
    const started = Date.now();
    try {
      results[row] = await runRow(row, { upstream: upstream.url, rounds, quick });
      results[row].seconds = (Date.now() - started) / 1000;
    } catch (error) {
      failures.push(row);
      results[row] = { error: error.message };
      log(error.message);
    }
  }
} finally {
  upstream.child.kill('SIGTERM');
}

const report = roundDeep({
  date: new Date().toISOString(),
  machine: { ...machine, loadavgBefore: loadBefore, loadavgAfter: machineInfo().loadavg },
  options: { rounds, quick, only },
  rows: results,
  figures: figuresOf(results),
});
out.write(`\n${formatTable(report)}\n`);
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
if (values.out) writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
process.exitCode = failures.length > 0 ? 1 : 0;
